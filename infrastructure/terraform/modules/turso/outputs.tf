output "database_url" {
  description = "DATABASE_URL for the service."
  value       = "libsql://${turso_database.this.database.hostname}"
}

output "database_name" {
  description = "For `turso db tokens create` and `turso db shell`."
  value       = turso_database.this.name
}
