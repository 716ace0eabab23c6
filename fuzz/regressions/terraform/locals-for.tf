locals {
  account = "111122223333"
  admin_roles = [
    for name in var.admins : {
      rolearn  = "arn:aws:iam::${local.account}:role/${name}"
      username = "${name}:{{SessionName}}"
      groups   = ["system:masters"]
    }
  ]
}
