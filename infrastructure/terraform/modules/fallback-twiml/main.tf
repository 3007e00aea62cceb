# Twilio's voice fallback URL must answer when the service does not, so it
# cannot be served by the service, and Twilio has no API for TwiML Bins. A
# copy of twiml/fallback.xml sits in a bucket of its own, readable by anyone
# over HTTPS (Twilio fetches it without credentials) and holding nothing
# else: the recordings bucket stays fully private.
resource "aws_s3_bucket" "this" {
  bucket = "${var.name}-fallback-twiml"
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  # ACLs stay blocked; only the bucket policy below may grant reads.
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = false
  restrict_public_buckets = false
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_object" "fallback" {
  bucket        = aws_s3_bucket.this.id
  key           = "fallback.xml"
  source        = var.fallback_twiml
  etag          = filemd5(var.fallback_twiml)
  content_type  = "text/xml"
  cache_control = "max-age=300"
}

data "aws_iam_policy_document" "public_read" {
  statement {
    sid       = "ReadTheFallbackOnly"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.this.arn}/${aws_s3_object.fallback.key}"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }

  statement {
    sid       = "DenyPlainHttp"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.public_read.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}
