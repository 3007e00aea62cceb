# PermitLine on ECS Fargate behind an Application Load Balancer (it passes
# WebSockets, which Twilio's media stream is). How the timeouts below fit
# together is in docs/deploying.md, "Stopping a task without cutting a call";
# in short, when ECS stops a task (deploy, scale-in, maintenance):
#   1. it deregisters the task from the target group: new calls go to other
#      tasks, live calls keep their media socket for up to
#      deregistration_delay (3600 s, the maximum, longer than any call);
#   2. then it sends SIGTERM: the service turns readiness off and waits up to
#      DRAIN_TIMEOUT_MS (container-definition.json.tftpl) for calls still
#      live, then ends them; they go on in the keypad IVR on another task;
#   3. Fargate sends SIGKILL stopTimeout seconds after SIGTERM (120, the
#      Fargate maximum), so DRAIN_TIMEOUT_MS must stay below
#      stopTimeout x 1000 with room for the service's own stop.
# test/unit/terraform.test.ts fails when these drift apart.
locals {
  container_name = "permitline"
  container_port = 3000
  metrics_port   = 9464

  # Above the longest silence on a connection: a media stream carries audio
  # every 20 ms, webhooks answer in seconds; 300 s leaves room for a stalled
  # network without holding dead connections for long (ALB maximum 4000).
  alb_idle_timeout_seconds = 300
  # At least the longest call (about 30 minutes); 3600 is the ALB maximum.
  deregistration_delay_seconds = 3600

  secret_names = toset([
    "DATA_KEYS",
    "TWILIO_AUTH_TOKEN",
    "OPENAI_API_KEY",
    "DATABASE_AUTH_TOKEN",
    "METRICS_TOKEN",
  ])
}

data "aws_vpc" "this" {
  id = var.vpc_id
}

data "aws_caller_identity" "current" {}

# --- Network -----------------------------------------------------------------

resource "aws_security_group" "load_balancer" {
  name        = "${var.name}-alb"
  description = "PermitLine load balancer: HTTPS from anywhere, HTTP only to redirect."
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.load_balancer.id
  description       = "HTTPS and wss from Twilio and applicants"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "http_redirect" {
  security_group_id = aws_security_group.load_balancer.id
  description       = "HTTP, answered only with a redirect to HTTPS"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "load_balancer_to_tasks" {
  security_group_id            = aws_security_group.load_balancer.id
  description                  = "To the tasks' service port"
  ip_protocol                  = "tcp"
  from_port                    = local.container_port
  to_port                      = local.container_port
  referenced_security_group_id = aws_security_group.tasks.id
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "PermitLine tasks: the service port from the load balancer, metrics from inside the VPC."
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "service_from_load_balancer" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "The service port, from the load balancer only"
  ip_protocol                  = "tcp"
  from_port                    = local.container_port
  to_port                      = local.container_port
  referenced_security_group_id = aws_security_group.load_balancer.id
}

# The metrics listener is never behind the load balancer: only Prometheus
# inside the VPC reaches it, and it still needs METRICS_TOKEN.
resource "aws_vpc_security_group_ingress_rule" "metrics_from_vpc" {
  security_group_id = aws_security_group.tasks.id
  description       = "Prometheus metrics, from inside the VPC only"
  ip_protocol       = "tcp"
  from_port         = local.metrics_port
  to_port           = local.metrics_port
  cidr_ipv4         = data.aws_vpc.this.cidr_block
}

resource "aws_vpc_security_group_egress_rule" "tasks_out" {
  security_group_id = aws_security_group.tasks.id
  description       = "Twilio, OpenAI, Turso, Secrets Manager, ECR and CloudWatch over HTTPS"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

# An OpenTelemetry collector, when traces are on, runs inside the VPC.
resource "aws_vpc_security_group_egress_rule" "otlp_to_vpc" {
  security_group_id = aws_security_group.tasks.id
  description       = "OTLP/HTTP traces to a collector inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 4318
  to_port           = 4318
  cidr_ipv4         = data.aws_vpc.this.cidr_block
}

# --- Load balancer -----------------------------------------------------------

resource "aws_lb" "this" {
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [aws_security_group.load_balancer.id]
  subnets                    = var.public_subnet_ids
  idle_timeout               = local.alb_idle_timeout_seconds
  drop_invalid_header_fields = true
}

resource "aws_lb_target_group" "this" {
  name                 = var.name
  port                 = local.container_port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = local.deregistration_delay_seconds

  # Readiness, not liveness: a draining task answers 503 here and stops
  # receiving new calls while its live ones go on.
  health_check {
    path                = "/health/ready"
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

# Twilio opens the media stream only to wss://, so the listener Twilio
# reaches is HTTPS with a certificate ACM issues after DNS validation.
resource "aws_acm_certificate" "this" {
  domain_name       = var.public_hostname
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn = aws_acm_certificate.this.arn
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.this.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}

resource "aws_lb_listener" "http_redirect" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

# --- Secrets -----------------------------------------------------------------

# The secrets exist here; their values never do. The operator puts each
# value with `aws secretsmanager put-secret-value` (docs/deploying.md), so
# no secret passes through a plan, a state file or this repository.
resource "aws_secretsmanager_secret" "this" {
  for_each = local.secret_names

  name                    = "${var.name}/${each.key}"
  description             = "PermitLine ${each.key}; value set by the operator, never by Terraform."
  recovery_window_in_days = 7
}

# --- Logs --------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
}

# --- Roles -------------------------------------------------------------------

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# The execution role is ECS's own: it pulls the image, writes the log
# stream and reads exactly the secrets above, nothing else.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "read_secrets" {
  statement {
    sid       = "ReadPermitLineSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [for secret in aws_secretsmanager_secret.this : secret.arn]
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  name   = "read-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.read_secrets.json
}

# The task role is the service's: the recordings bucket, and its own task's
# scale-in protection (docs/deploying.md).
resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  statement {
    # PutObject also covers the parts of a multipart upload; a failed one is aborted.
    sid       = "Recordings"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.recordings_bucket_arn}/*"]
  }

  statement {
    sid       = "ListRecordings"
    actions   = ["s3:ListBucket"]
    resources = [var.recordings_bucket_arn]
  }

  statement {
    sid       = "OwnTaskProtection"
    actions   = ["ecs:GetTaskProtection", "ecs:UpdateTaskProtection"]
    resources = ["arn:aws:ecs:${var.aws_region}:${data.aws_caller_identity.current.account_id}:task/${var.name}/*"]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "permitline"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# --- Cluster, task, service --------------------------------------------------

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

# On-demand Fargate only: a Spot task is reclaimed with two minutes' notice,
# which would cut every call on it.
resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # A JSON file of its own so that the tests read the very definition that
  # ships (stopTimeout, DRAIN_TIMEOUT_MS, the secrets).
  container_definitions = templatefile("${path.module}/container-definition.json.tftpl", {
    container_name              = local.container_name
    image                       = var.container_image
    aws_region                  = var.aws_region
    log_group                   = aws_cloudwatch_log_group.this.name
    public_base_url             = var.public_base_url
    database_url                = var.database_url
    twilio_account_sid          = var.twilio_account_sid
    twilio_from_number          = var.twilio_from_number
    retention_days              = tostring(var.retention_days)
    record_calls                = tostring(var.record_calls)
    recordings_bucket_name      = var.recordings_bucket_name
    otel_traces_exporter        = var.otel_traces_exporter
    otel_exporter_otlp_endpoint = var.otel_exporter_otlp_endpoint
    otel_traces_sampler         = var.otel_traces_sampler
    otel_traces_sampler_arg     = var.otel_traces_sampler_arg
    secret_arns                 = { for secret_name, secret in aws_secretsmanager_secret.this : secret_name => secret.arn }
  })
}

resource "aws_ecs_service" "this" {
  name                               = var.name
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.desired_count
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 60
  enable_execute_command             = false
  propagate_tags                     = "SERVICE"

  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = local.container_name
    container_port   = local.container_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # Autoscaling owns the count once the service runs.
  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.https, aws_ecs_cluster_capacity_providers.this]
}

# --- Autoscaling -------------------------------------------------------------

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.desired_count
  max_capacity       = var.max_count
}

# Scale-in picks a task and stops it the same way a deploy does (steps 1-3
# above), so its live calls finish first; the long cooldown keeps a quiet
# quarter-hour from removing capacity the next wave of calls needs.
resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 50
    scale_in_cooldown  = 900
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
