terraform {
  required_providers {
    turso = {
      source = "celest-dev/turso"
    }
  }
}
