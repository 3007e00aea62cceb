variable "group_name" {
  description = "The Turso group (where its databases run)."
  type        = string
}

variable "database_name" {
  description = "The database: lowercase letters, digits and dashes, at most 64."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]{1,64}$", var.database_name))
    error_message = "database_name may hold only lowercase letters, digits and dashes, at most 64."
  }
}

variable "location" {
  description = "The group's primary location."
  type        = string
}
