output "sid" {
  description = "The number's SID (PN…)."
  value       = twilio_api_accounts_incoming_phone_numbers.department.sid
}

output "voice_url" {
  description = "The voice webhook the number calls."
  value       = twilio_api_accounts_incoming_phone_numbers.department.voice_url
}
