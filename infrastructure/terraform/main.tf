# PermitLine in one environment: the department's Twilio number pointed at
# the service, the Turso database, the runtime (ECS Fargate behind an ALB),
# the recordings bucket and the static fallback TwiML. One root module, one
# state object per environment: terraform plan -var-file=environments/<env>.tfvars
# (docs/deploying.md explains the layout and the order of the first apply).

locals {
  name            = "permitline-${var.environment}"
  public_base_url = "https://${var.public_hostname}"
}

# The number exists before Terraform does: creating this resource would buy
# a new number and destroying it would release the department's. The import
# block adopts it on the first apply; after that it is a no-op. The old
# command form works as well: see docs/deploying.md, "Importing the number".
import {
  to = module.twilio_number.twilio_api_accounts_incoming_phone_numbers.department
  id = var.twilio_phone_number_sid
}

module "fallback_twiml" {
  source = "./modules/fallback-twiml"

  name           = "${var.s3_bucket_prefix}-${local.name}"
  fallback_twiml = "${path.root}/../../twiml/fallback.xml"
}

module "twilio_number" {
  source = "./modules/twilio-number"

  phone_number       = var.twilio_phone_number
  friendly_name      = "PermitLine ${var.environment}"
  public_base_url    = local.public_base_url
  voice_fallback_url = module.fallback_twiml.url
}

module "turso" {
  source = "./modules/turso"

  group_name    = local.name
  database_name = local.name
  location      = var.turso_location
}

module "recordings_bucket" {
  source = "./modules/recordings-bucket"

  name           = "${var.s3_bucket_prefix}-${local.name}-recordings"
  retention_days = var.retention_days
}

module "runtime" {
  source = "./modules/runtime"

  name               = local.name
  aws_region         = var.aws_region
  vpc_id             = var.vpc_id
  public_subnet_ids  = var.public_subnet_ids
  private_subnet_ids = var.private_subnet_ids
  public_hostname    = var.public_hostname
  public_base_url    = local.public_base_url
  container_image    = var.container_image
  desired_count      = var.desired_count
  max_count          = var.max_count
  task_cpu           = var.task_cpu
  task_memory        = var.task_memory
  log_retention_days = var.log_retention_days

  database_url           = module.turso.database_url
  twilio_account_sid     = var.twilio_account_sid
  twilio_from_number     = var.twilio_phone_number
  retention_days         = var.retention_days
  record_calls           = var.record_calls
  recordings_bucket_arn  = module.recordings_bucket.arn
  recordings_bucket_name = module.recordings_bucket.name

  otel_traces_exporter        = var.otel_traces_exporter
  otel_exporter_otlp_endpoint = var.otel_exporter_otlp_endpoint
  otel_traces_sampler         = var.otel_traces_sampler
  otel_traces_sampler_arg     = var.otel_traces_sampler_arg
}
