variable "project_id" {
  description = "GCP project that holds the ObservaStack VM."
  type        = string
}

variable "region" {
  description = "Region of the subnet, the router and the Cloud NAT."
  type        = string
  default     = "europe-west1"
}

variable "zone" {
  description = "Zone of the VM."
  type        = string
  default     = "europe-west1-b"
}

variable "name" {
  description = "Prefix of every resource's name."
  type        = string
  default     = "observastack"
}

variable "machine_type" {
  description = "VM size. The whole stack is limited to about 4 GiB of memory (see docs/deploy.md); e2-standard-2 has 8 GiB."
  type        = string
  default     = "e2-standard-2"
}

variable "disk_size_gb" {
  description = "Boot disk size (images ~3 GiB, PostgreSQL, Prometheus, Loki and Tempo data with 1 day retention)."
  type        = number
  default     = 30
}

variable "image" {
  description = "Boot image of the VM (Debian 12)."
  type        = string
  default     = "debian-cloud/debian-12"
}

variable "subnet_cidr" {
  description = "CIDR of the dedicated subnet."
  type        = string
  default     = "10.42.0.0/24"
}

variable "repo_url" {
  description = "Git repository the VM takes the stack/ folder (compose files and configs) from."
  type        = string
  default     = "https://github.com/observastack/observastack.git"
}

variable "git_ref" {
  description = "Commit SHA, tag or branch of repo_url the VM takes stack/ from. No default: pin one that exists (a commit SHA is the safest)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$", var.git_ref))
    error_message = "git_ref must be a commit SHA, tag or branch name (letters, digits, . _ / -)."
  }
}

variable "obs_version" {
  description = "Version (tag) of the published ObservaStack images the stack pulls."
  type        = string
  default     = "0.1.0"
}

variable "iap_members" {
  description = "Principals allowed to open IAP tunnels to every VM (instructors, operators), e.g. [\"user:alice@example.com\", \"group:workshop@example.com\"]."
  type        = list(string)
  default     = []
}

variable "learners" {
  description = "How many learner VMs: each runs its own stack (shop, incident, telemetry). The roster output lists them."
  type        = number
  default     = 1

  validation {
    condition     = var.learners >= 1 && var.learners <= 100 && floor(var.learners) == var.learners
    error_message = "learners must be a whole number from 1 to 100."
  }
}

variable "learner_members" {
  description = "Optional: one principal per learner VM, in order (learner_members[0] may tunnel to learner-1's VM only, and so on)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.learner_members) == 0 || length(var.learner_members) == var.learners
    error_message = "learner_members must be empty or name exactly one principal per learner."
  }
}

variable "install_ops_agent" {
  description = "Install the Google Cloud Ops Agent so the VM's logs and metrics reach Cloud Logging and Monitoring."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels put on the VM and its disk."
  type        = map(string)
  default = {
    app = "observastack"
  }
}
