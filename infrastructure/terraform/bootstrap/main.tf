# The S3 bucket that holds every environment's Terraform state. It cannot
# keep its own state in itself, so this root module has local state
# (terraform.tfstate next to this file, ignored by git): run it once per AWS
# account, keep that file safe or re-import the bucket if it is lost
# (docs/deploying.md, "Bootstrapping the state bucket").
terraform {
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 5.100.0"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Application = "permitline"
      ManagedBy   = "terraform-bootstrap"
    }
  }
}

variable "aws_region" {
  description = "Region of the state bucket."
  type        = string
}

variable "state_bucket_name" {
  description = "Globally unique name of the state bucket, e.g. <department>-permitline-tfstate."
  type        = string
}

resource "aws_s3_bucket" "state" {
  bucket = var.state_bucket_name

  lifecycle {
    prevent_destroy = true
  }
}

# Every state write is a new version: a bad apply or a corrupted state can
# be rolled back to the previous object.
resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket = aws_s3_bucket.state.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Old state versions are kept for 90 days, long enough to notice a bad one.
resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "old-state-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 90
    }
  }

  depends_on = [aws_s3_bucket_versioning.state]
}

output "state_bucket" {
  description = "Put this in environments/<env>.s3.tfbackend as bucket."
  value       = aws_s3_bucket.state.bucket
}
