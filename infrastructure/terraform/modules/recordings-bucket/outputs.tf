output "name" {
  description = "The bucket's name."
  value       = aws_s3_bucket.this.bucket
}

output "arn" {
  description = "The bucket's ARN, for the task role's policy."
  value       = aws_s3_bucket.this.arn
}
