"""The only layer that talks to AWS: clients, retries, batched readers, writers.

Nothing outside this package imports boto3, botocore or moto, and nothing
outside it ever sees a botocore exception: every failure leaves as an
`errors.AwsError`.
"""
