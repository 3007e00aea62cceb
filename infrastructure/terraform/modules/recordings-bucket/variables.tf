variable "name" {
  description = "The bucket's name (globally unique)."
  type        = string
}

variable "retention_days" {
  description = "RETENTION_DAYS: the lifecycle rule removes what the service's retention job would have erased."
  type        = number
}
