# The database and its group. No token is made here on purpose: the
# provider's token data sources mint a new token on every read, so each
# plan would print a change and leave another valid token in the state. The
# operator mints one token with the Turso CLI and puts it in Secrets Manager
# (docs/deploying.md, "Secrets").
resource "turso_group" "this" {
  name      = var.group_name
  locations = [var.location]
  primary   = var.location
}

resource "turso_database" "this" {
  name  = var.database_name
  group = turso_group.this.name

  # Applications, the audit chain and the call records live here.
  lifecycle {
    prevent_destroy = true
  }
}
