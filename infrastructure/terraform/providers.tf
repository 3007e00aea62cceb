# Credentials never appear here: every provider reads them from the
# operator's (or CI's) environment (docs/deploying.md, "Credentials").
#   aws:    the usual AWS credential chain (SSO profile, or OIDC in CI)
#   twilio: TWILIO_ACCOUNT_SID with TWILIO_API_KEY and TWILIO_API_SECRET
#   turso:  TURSO_API_TOKEN
provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Application = "permitline"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

provider "twilio" {}

provider "turso" {
  organization = var.turso_organization
}
