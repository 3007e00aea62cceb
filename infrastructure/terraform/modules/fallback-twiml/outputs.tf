output "url" {
  description = "The fallback TwiML's HTTPS URL (GET)."
  value       = "https://${aws_s3_bucket.this.bucket_regional_domain_name}/${aws_s3_object.fallback.key}"
}
