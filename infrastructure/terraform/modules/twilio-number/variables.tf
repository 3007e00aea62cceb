variable "phone_number" {
  description = "The department's existing number, E.164."
  type        = string
}

variable "friendly_name" {
  description = "The name the Twilio console shows for the number."
  type        = string
}

variable "public_base_url" {
  description = "The service's https origin; the webhooks are paths under it."
  type        = string

  validation {
    condition     = startswith(var.public_base_url, "https://") && !endswith(var.public_base_url, "/")
    error_message = "public_base_url must start with https:// (Twilio's media stream needs wss://) and end without a slash."
  }
}

variable "voice_fallback_url" {
  description = "A static copy of twiml/fallback.xml that Twilio fetches (GET) when the voice URL fails."
  type        = string

  validation {
    condition     = startswith(var.voice_fallback_url, "https://")
    error_message = "voice_fallback_url must start with https://."
  }
}
