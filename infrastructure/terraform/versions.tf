# Terraform and provider versions for the PermitLine root module
# (docs/deploying.md). Providers are pinned to exact versions: without a
# terraform binary in this repository's CI sandbox no .terraform.lock.hcl can
# be generated, so the pin in this file is the only thing that keeps two
# operators on the same provider code. Commit the lock file the first
# `terraform init` writes.
terraform {
  # use_lockfile (S3-native state locking) needs Terraform 1.11 or later.
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 5.100.0"
    }
    twilio = {
      source  = "twilio/twilio"
      version = "= 0.18.46"
    }
    turso = {
      source  = "celest-dev/turso"
      version = "= 0.2.3"
    }
  }

  # Partial configuration: bucket, key and region come from
  # environments/<env>.s3.tfbackend (terraform init -backend-config=…), so
  # each environment keeps its own state object. The bucket is made by
  # bootstrap/, which keeps its own local state.
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
