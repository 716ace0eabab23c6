variable "roles" {
  default = [{ name = "ci", arn = "arn:aws:iam::111122223333:role/ci" }]
}

locals {
  name  = "ci"
  roles = [for r in var.roles : { rolearn = r.arn, username = "x-${r.name}", groups = ["system:masters"] }]
  users = concat([], [format("arn:aws:iam::%s:user/%s", "111122223333", lower("Alice"))])
}

resource "aws_iam_role" "node" {
  name = "eks-node"
  path = "/nodes/"
}

resource "kubernetes_config_map_v1_data" "aws_auth" {
  metadata {
    name      = "aws-auth"
    namespace = "kube-system"
  }
  force = true
  data = {
    mapRoles = <<-EOT
      - rolearn: ${aws_iam_role.node.arn}
        username: system:node:{{EC2PrivateDNSName}}
        groups: ["system:bootstrappers", "system:nodes"]
      %{~ for r in local.roles ~}
      - rolearn: ${r.rolearn}
        username: "${r.username}"
      %{ endfor ~}
    EOT
    mapUsers = yamlencode(local.users)
    other    = try(local.nope, "a\"b\u00e9 $${x}") == "x" ? toset(["b", "a"]) : { (local.name) = 1 }
  }
}
