# The department's number, adopted by the root's import block. The webhook
# paths are the service's own (src/call/voice-webhooks.ts, src/sms/sms-routes.ts);
# `npm run twilio:configure` sets the same URLs without Terraform.
resource "twilio_api_accounts_incoming_phone_numbers" "department" {
  # phone_number forces a new resource when it changes: with prevent_destroy
  # a typo here fails the plan instead of buying a number and releasing ours.
  phone_number  = var.phone_number
  friendly_name = var.friendly_name

  voice_url    = "${var.public_base_url}/twilio/voice"
  voice_method = "POST"
  # Played when the service cannot answer at all (down, 5xx, timeout): it
  # must not depend on the service, so it is a file in S3, fetched with GET.
  voice_fallback_url    = var.voice_fallback_url
  voice_fallback_method = "GET"

  status_callback        = "${var.public_base_url}/twilio/voice/status"
  status_callback_method = "POST"

  sms_url    = "${var.public_base_url}/twilio/sms"
  sms_method = "POST"

  lifecycle {
    prevent_destroy = true
  }
}
