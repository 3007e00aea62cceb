terraform {
  required_providers {
    twilio = {
      source = "twilio/twilio"
    }
  }
}
