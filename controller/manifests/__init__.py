"""Reading desired state: manifest files in, validated `Desired` resources and errors out."""
