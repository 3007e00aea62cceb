variable "name" {
  description = "Prefix of every resource's name: permitline-<environment>."
  type        = string
}

variable "aws_region" {
  description = "The region, for the awslogs driver."
  type        = string
}

variable "vpc_id" {
  description = "The VPC the load balancer and the tasks run in."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets of the internet-facing load balancer."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Subnets of the tasks (no public address)."
  type        = list(string)
}

variable "public_hostname" {
  description = "The certificate's name."
  type        = string
}

variable "public_base_url" {
  description = "PUBLIC_BASE_URL."
  type        = string

  validation {
    condition     = startswith(var.public_base_url, "https://")
    error_message = "public_base_url must start with https://."
  }
}

variable "container_image" {
  description = "The image, by digest."
  type        = string
}

variable "desired_count" {
  description = "Tasks at rest."
  type        = number
}

variable "max_count" {
  description = "Most tasks autoscaling may run."
  type        = number
}

variable "task_cpu" {
  description = "Fargate CPU units."
  type        = number
}

variable "task_memory" {
  description = "Fargate memory, MiB."
  type        = number
}

variable "log_retention_days" {
  description = "CloudWatch log retention."
  type        = number
}

variable "database_url" {
  description = "DATABASE_URL (libsql://…)."
  type        = string
}

variable "twilio_account_sid" {
  description = "TWILIO_ACCOUNT_SID."
  type        = string
}

variable "twilio_from_number" {
  description = "TWILIO_FROM_NUMBER: the number the SMS summaries come from."
  type        = string
}

variable "retention_days" {
  description = "RETENTION_DAYS."
  type        = number
}

variable "record_calls" {
  description = "RECORD_CALLS."
  type        = bool
}

variable "recordings_bucket_name" {
  description = "RECORDINGS_S3_BUCKET: where every task keeps call recordings, so any task plays any recording."
  type        = string
}

variable "recordings_bucket_arn" {
  description = "The recordings bucket the task role may use."
  type        = string
}

variable "otel_traces_exporter" {
  description = "OTEL_TRACES_EXPORTER."
  type        = string
}

variable "otel_exporter_otlp_endpoint" {
  description = "OTEL_EXPORTER_OTLP_ENDPOINT (empty: none)."
  type        = string
}

variable "otel_traces_sampler" {
  description = "OTEL_TRACES_SAMPLER."
  type        = string
}

variable "otel_traces_sampler_arg" {
  description = "OTEL_TRACES_SAMPLER_ARG."
  type        = string
}
