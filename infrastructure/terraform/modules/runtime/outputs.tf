output "load_balancer_dns_name" {
  description = "The load balancer's DNS name."
  value       = aws_lb.this.dns_name
}

output "certificate_validation_records" {
  description = "CNAME records ACM needs to issue the certificate."
  value       = [for option in aws_acm_certificate.this.domain_validation_options : {
    name  = option.resource_record_name
    type  = option.resource_record_type
    value = option.resource_record_value
  }]
}

output "secret_arns" {
  description = "Secret name => ARN (the values are set by the operator)."
  value       = { for secret_name, secret in aws_secretsmanager_secret.this : secret_name => secret.arn }
}
