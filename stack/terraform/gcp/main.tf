# One VM per learner (`learners`, default 1), each running the whole ObservaStack compose stack from published
# images: its own shop, incident and telemetry. The VMs have no public IP: people reach them through
# Identity-Aware Proxy (IAP) TCP forwarding only, and they pull images through Cloud NAT.

locals {
  # Google's IAP TCP forwarding range: the only source any firewall rule below admits.
  iap_range = "35.235.240.0/20"
  tag       = "${var.name}-vm"

  # One rule per network path of the security model.
  paths = {
    ssh           = { port = 22, what = "operator shell (gcloud compute ssh --tunnel-through-iap)" }
    user          = { port = 8080, what = "user path: shop traffic to the gateway" }
    control       = { port = 4000, what = "secure/control path: site, API, WebSocket of the orchestrator" }
    observability = { port = 3000, what = "observability path: Grafana, read-only" }
  }
}

# The APIs this configuration uses; left enabled on destroy (other resources in the project may need them).
resource "google_project_service" "apis" {
  for_each = toset(["compute.googleapis.com", "iap.googleapis.com"])

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_compute_network" "vpc" {
  name                    = "${var.name}-vpc"
  auto_create_subnetworks = false

  depends_on = [google_project_service.apis]
}

resource "google_compute_subnetwork" "subnet" {
  name                     = "${var.name}-subnet"
  region                   = var.region
  network                  = google_compute_network.vpc.id
  ip_cidr_range            = var.subnet_cidr
  private_ip_google_access = true
}

resource "google_compute_router" "router" {
  name    = "${var.name}-router"
  region  = var.region
  network = google_compute_network.vpc.id
}

# Outbound only (apt, Docker Hub); nothing can connect in through it.
resource "google_compute_router_nat" "nat" {
  name                               = "${var.name}-nat"
  router                             = google_compute_router.router.name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

resource "google_compute_firewall" "iap" {
  for_each = local.paths

  name          = "${var.name}-iap-${each.key}"
  network       = google_compute_network.vpc.id
  description   = "IAP only: ${each.value.what}"
  direction     = "INGRESS"
  source_ranges = [local.iap_range]
  target_tags   = [local.tag]

  allow {
    protocol = "tcp"
    ports    = [tostring(each.value.port)]
  }
}

# A dedicated identity for the VM: it may write logs and metrics, nothing else.
resource "google_service_account" "vm" {
  account_id   = "${var.name}-vm"
  display_name = "ObservaStack VM"
}

resource "google_project_iam_member" "vm" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter"])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.vm.email}"
}

# Earlier versions had exactly one VM at this address.
moved {
  from = google_compute_instance.vm
  to   = google_compute_instance.vm[0]
}

resource "google_compute_instance" "vm" {
  count = var.learners

  name         = local.vm_names[count.index]
  machine_type = var.machine_type
  zone         = var.zone
  tags         = [local.tag]
  labels       = merge(var.labels, { observastack-learner = local.learners[count.index] })

  boot_disk {
    initialize_params {
      image  = var.image
      size   = var.disk_size_gb
      type   = "pd-balanced"
      labels = var.labels
    }
  }

  # No access_config block: no public IP.
  network_interface {
    subnetwork = google_compute_subnetwork.subnet.id
  }

  service_account {
    email  = google_service_account.vm.email
    scopes = ["cloud-platform"]
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  metadata = {
    enable-oslogin         = "TRUE"
    block-project-ssh-keys = "TRUE"
  }

  metadata_startup_script = templatefile("${path.module}/startup.sh.tftpl", {
    repo_url          = var.repo_url
    git_ref           = var.git_ref
    obs_version       = var.obs_version
    install_ops_agent = var.install_ops_agent
  })

  depends_on = [google_compute_router_nat.nat]
}

resource "google_iap_tunnel_instance_iam_member" "tunnel" {
  for_each = local.tunnel_access

  project  = var.project_id
  zone     = var.zone
  instance = google_compute_instance.vm[each.value.vm].name
  role     = "roles/iap.tunnelResourceAccessor"
  member   = each.value.member

  depends_on = [google_project_service.apis]
}
