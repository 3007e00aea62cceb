output "load_balancer_dns_name" {
  description = "Point public_hostname at this (CNAME or alias record)."
  value       = module.runtime.load_balancer_dns_name
}

output "certificate_validation_records" {
  description = "The DNS records ACM asks for before it issues the certificate; the first apply waits for them."
  value       = module.runtime.certificate_validation_records
}

output "secret_arns" {
  description = "The Secrets Manager secrets whose values the operator sets (docs/deploying.md, \"Secrets\"). ARNs only, never values."
  value       = module.runtime.secret_arns
}

output "voice_url" {
  description = "Where Twilio sends the number's calls."
  value       = module.twilio_number.voice_url
}

output "voice_fallback_url" {
  description = "The static fallback TwiML Twilio plays when the service does not answer."
  value       = module.fallback_twiml.url
}

output "database_url" {
  description = "DATABASE_URL of the environment (libsql://…); the token is in Secrets Manager, not here."
  value       = module.turso.database_url
}

output "recordings_bucket" {
  description = "The recordings bucket, for the S3 recording adapter."
  value       = module.recordings_bucket.name
}
