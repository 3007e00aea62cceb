variable "name" {
  description = "Prefix of the bucket's name."
  type        = string
}

variable "fallback_twiml" {
  description = "Path of twiml/fallback.xml in the repository."
  type        = string
}
