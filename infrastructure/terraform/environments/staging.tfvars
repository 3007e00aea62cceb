# staging: every value here is an example (fictional numbers, example.org, zero
# IDs) for the operator to replace (docs/deploying.md, "First deployment").
environment = "staging"
aws_region  = "us-west-2"

s3_bucket_prefix = "example-department"

public_hostname    = "permits-staging.example.org"
vpc_id             = "vpc-00000000000000000"
public_subnet_ids  = ["subnet-00000000000000001", "subnet-00000000000000002"]
private_subnet_ids = ["subnet-00000000000000003", "subnet-00000000000000004"]

# The image CI built and pushed, by digest (docs/deploying.md, "Promotion").
container_image = "000000000000.dkr.ecr.us-west-2.amazonaws.com/permitline@sha256:0000000000000000000000000000000000000000000000000000000000000000"
desired_count   = 2
max_count       = 3

twilio_account_sid      = "AC00000000000000000000000000000000"
twilio_phone_number     = "+13125550151"
twilio_phone_number_sid = "PN00000000000000000000000000000000"

turso_organization = "example-department"
turso_location     = "aws-us-west-2"

retention_days = 90
