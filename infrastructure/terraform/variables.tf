variable "environment" {
  description = "dev, staging or prod: names every resource and selects the state object."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "aws_region" {
  description = "The AWS region everything but the Twilio number and the Turso database lives in."
  type        = string
}

variable "public_hostname" {
  description = "The host name applicants and Twilio reach (no scheme, no path), e.g. permits.example.org. The ACM certificate is issued for it."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", var.public_hostname))
    error_message = "public_hostname must be a bare DNS name such as permits.example.org (no https://, no path)."
  }
}

variable "s3_bucket_prefix" {
  description = "Starts every bucket's name (bucket names are global across AWS), e.g. the department's short name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$", var.s3_bucket_prefix))
    error_message = "s3_bucket_prefix must be 3-32 lowercase letters, digits or dashes."
  }
}

variable "vpc_id" {
  description = "The department's existing VPC."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets for the load balancer (at least two availability zones)."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Subnets for the service's tasks (with a NAT route: the tasks call Twilio, OpenAI and Turso)."
  type        = list(string)
}

variable "container_image" {
  description = "The image to run, by digest (registry/permitline@sha256:…), built from the repository's Dockerfile."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.container_image))
    error_message = "container_image must name the image by digest (…@sha256:<64 hex>), so a plan says exactly what runs."
  }
}

variable "desired_count" {
  description = "Tasks running when the line is quiet."
  type        = number
  default     = 2
}

variable "max_count" {
  description = "The most tasks autoscaling may start on a busy permit day."
  type        = number
  default     = 6
}

variable "task_cpu" {
  description = "Fargate CPU units per task."
  type        = number
  default     = 1024
}

variable "task_memory" {
  description = "Fargate memory (MiB) per task."
  type        = number
  default     = 2048
}

variable "twilio_account_sid" {
  description = "The Twilio account that owns the number (AC…); not a secret, the auth token is."
  type        = string

  validation {
    condition     = can(regex("^AC[0-9a-f]{32}$", var.twilio_account_sid))
    error_message = "twilio_account_sid must be AC followed by 32 hex digits."
  }
}

variable "twilio_phone_number" {
  description = "The department's existing number in E.164 (+1…). It is imported, never bought."
  type        = string

  validation {
    condition     = can(regex("^\\+[1-9][0-9]{6,14}$", var.twilio_phone_number))
    error_message = "twilio_phone_number must be in E.164 form, e.g. +13125550142."
  }
}

variable "twilio_phone_number_sid" {
  description = "The number's SID (PN…), the ID the import block adopts it by."
  type        = string

  validation {
    condition     = can(regex("^PN[0-9a-f]{32}$", var.twilio_phone_number_sid))
    error_message = "twilio_phone_number_sid must be PN followed by 32 hex digits (Twilio console, Phone Numbers, the number's page)."
  }
}

variable "turso_organization" {
  description = "The Turso organization (slug) that owns the group and database."
  type        = string
}

variable "turso_location" {
  description = "The Turso location of the group's primary, close to aws_region (e.g. aws-us-west-2)."
  type        = string
}

variable "retention_days" {
  description = "Days after which drafts and calls are erased (RETENTION_DAYS, docs/adr/0006-retention.md); the recordings bucket's lifecycle rule uses the same number."
  type        = number
  default     = 90

  validation {
    condition     = var.retention_days >= 30 && var.retention_days <= 3650
    error_message = "retention_days must be between 30 and 3650, as the service accepts."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the service's logs (they hold no personal data)."
  type        = number
  default     = 90
}

variable "otel_traces_exporter" {
  description = "OTEL_TRACES_EXPORTER: none, otlp or console (docs/observability.md)."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "otlp", "console"], var.otel_traces_exporter)
    error_message = "otel_traces_exporter must be none, otlp or console."
  }
}

variable "otel_exporter_otlp_endpoint" {
  description = "OTEL_EXPORTER_OTLP_ENDPOINT: the collector's OTLP/HTTP origin; empty when traces are off."
  type        = string
  default     = ""
}

variable "otel_traces_sampler" {
  description = "OTEL_TRACES_SAMPLER."
  type        = string
  default     = "parentbased_traceidratio"
}

variable "otel_traces_sampler_arg" {
  description = "OTEL_TRACES_SAMPLER_ARG: the share of calls traced, 0 to 1."
  type        = string
  default     = "0.25"
}

variable "record_calls" {
  description = "RECORD_CALLS: callers hear that the call is recorded (docs/recordings.md)."
  type        = bool
  default     = false
}
