#!/bin/bash
# Build a realistic tier-3 "clean instance image" (Debian 12 bookworm, systemd, podman,
# one kernel) as an OCI layout DIR/img, tag "clean", split into ~25 gzip layers.
#
#   bench/real-debian-instance.sh [DIR]  # full build (root), DIR default /tmp/real: debootstrap + customise + layers
#   REUSE_ROOTFS=1 bench/real-debian-instance.sh   # keep an existing DIR/rootfs (customising is idempotent)
#
# Layers are made with GNU tar + `umoci raw add-layer`, not `umoci insert`: umoci 0.4.7 (Debian 12)
# writes insert layers without the tar padding/end-of-archive blocks (opencontainers/umoci#436),
# so GNU tar and Go's archive/tar report "Unexpected EOF" on them.
set -euo pipefail

R=${1:-/tmp/real}  # output directory: rootfs/, layers/, img/
ROOT=$R/rootfs
IMG=$R/img
TAG=clean
WORK=$R/layers
# The mirror apt on this machine is configured with (/etc/apt/sources.list.d/debian.sources).
MIRROR=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

export LC_ALL=C

# ---------------------------------------------------------------------------------------------
# 0. tools
need=()
for t in debootstrap:debootstrap umoci:umoci skopeo:skopeo jq:jq; do
  command -v "${t%%:*}" >/dev/null || need+=("${t##*:}")
done
if ((${#need[@]})); then apt-get update && apt-get install -y "${need[@]}"; fi

# ---------------------------------------------------------------------------------------------
# 1. debootstrap. golang-github-containers-common depends on the virtual package
#    container-network-stack, which debootstrap cannot resolve, so netavark (+ aardvark-dns) is
#    named explicitly; uidmap, slirp4netns, fuse-overlayfs, dbus-user-session and catatonit are
#    podman's Recommends that rootless quadlets need on a real host.
if [[ ${REUSE_ROOTFS:-0} == 1 && -x $ROOT/usr/bin/podman ]]; then
  echo "== reusing $ROOT"
else
  rm -rf "$ROOT"
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,podman,linux-image-amd64,kmod,openssh-client,dbus,netavark,aardvark-dns,uidmap,slirp4netns,fuse-overlayfs,dbus-user-session,catatonit \
    bookworm "$ROOT" "$MIRROR"
fi
KVER=$(ls "$ROOT/usr/lib/modules")
[[ $(wc -w <<<"$KVER") == 1 ]] || { echo "expected one kernel, got: $KVER" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# 2. tier-3 instance content
cd "$ROOT"

# 2a. container policy: reject by default, accept the allowlisted registries.
install -d -m 0755 etc/containers
cat > etc/containers/policy.json <<'EOF'
{
    "default": [{"type": "reject"}],
    "transports": {
        "docker": {
            "quay.io": [{"type": "insecureAcceptAnything"}],
            "docker.io": [{"type": "insecureAcceptAnything"}],
            "ghcr.io": [{"type": "insecureAcceptAnything"}],
            "registry.gitlab.com": [{"type": "insecureAcceptAnything"}]
        },
        "containers-storage": {
            "": [{"type": "insecureAcceptAnything"}]
        }
    }
}
EOF
chmod 0644 etc/containers/policy.json

# 2b. Envoy: the only rootful container.
install -d -m 0755 etc/containers/systemd etc/envoy
cat > etc/containers/systemd/envoy.container <<'EOF'
[Unit]
Description=Envoy edge proxy (the only rootful container)
Wants=network-online.target
After=network-online.target

[Container]
ContainerName=envoy
Image=docker.io/envoyproxy/envoy:v1.31-latest
Network=host
Volume=/etc/envoy:/etc/envoy:ro
Exec=--config-path /etc/envoy/envoy.yaml
AutoUpdate=registry

[Service]
Restart=always

[Install]
WantedBy=multi-user.target
EOF
cat > etc/envoy/envoy.yaml <<'EOF'
admin:
  address:
    socket_address: {address: 127.0.0.1, port_value: 9901}
static_resources:
  listeners:
  - name: https
    address:
      socket_address: {address: 0.0.0.0, port_value: 8080}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
          route_config:
            virtual_hosts:
            - name: apps
              domains: ["*"]
              routes:
              - match: {prefix: "/grafana/"}
                route: {cluster: grafana}
              - match: {prefix: "/"}
                route: {cluster: forgejo}
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
  - name: grafana
    type: STATIC
    load_assignment:
      cluster_name: grafana
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 3000}}}
  - name: forgejo
    type: STATIC
    load_assignment:
      cluster_name: forgejo
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 3001}}}
EOF
chmod 0644 etc/containers/systemd/envoy.container etc/envoy/envoy.yaml

# 2c. service users: declared in sysusers.d, and present in passwd/group/shadow/gshadow exactly
#     as systemd-sysusers would have written them; subordinate ids for rootless podman.
install -d -m 0755 usr/lib/sysusers.d usr/lib/tmpfiles.d
cat > usr/lib/sysusers.d/apps.conf <<'EOF'
# Application users: each runs its rootless podman pod (quadlets in
# /etc/containers/systemd/users/UID), lingering via tmpfiles.d/linger.conf.
u grafana 2001 "Grafana" /var/lib/grafana
u forgejo 2002 "Forgejo" /var/lib/forgejo
EOF
add_line() { # file key line: append line unless an entry for key (first field) exists
  grep -q "^$2:" "$1" || printf '%s\n' "$3" >> "$1"
}
add_line etc/passwd  grafana 'grafana:x:2001:2001:Grafana:/var/lib/grafana:/usr/sbin/nologin'
add_line etc/passwd  forgejo 'forgejo:x:2002:2002:Forgejo:/var/lib/forgejo:/usr/sbin/nologin'
add_line etc/group   grafana 'grafana:x:2001:'
add_line etc/group   forgejo 'forgejo:x:2002:'
add_line etc/shadow  grafana 'grafana:!:::::::'
add_line etc/shadow  forgejo 'forgejo:!:::::::'
add_line etc/gshadow grafana 'grafana:!::'
add_line etc/gshadow forgejo 'forgejo:!::'
touch etc/subuid etc/subgid
add_line etc/subuid  grafana 'grafana:200000:65536'
add_line etc/subuid  forgejo 'forgejo:265536:65536'
add_line etc/subgid  grafana 'grafana:200000:65536'
add_line etc/subgid  forgejo 'forgejo:265536:65536'
chmod 0644 etc/passwd etc/group etc/subuid etc/subgid usr/lib/sysusers.d/apps.conf
chown 0:42 etc/shadow etc/gshadow && chmod 0640 etc/shadow etc/gshadow   # 42 = shadow

# homes (rootless container storage lives there) and lingering come from tmpfiles.d: on a bootc
# host the image's /var reaches the host only at the first install.
cat > usr/lib/tmpfiles.d/apps.conf <<'EOF'
d /var/lib/grafana 0700 grafana grafana - -
d /var/lib/forgejo 0700 forgejo forgejo - -
EOF
cat > usr/lib/tmpfiles.d/linger.conf <<'EOF'
# Start the application users' systemd --user (and so their quadlets) at boot.
d /var/lib/systemd/linger 0755 root root - -
f /var/lib/systemd/linger/grafana
f /var/lib/systemd/linger/forgejo
EOF
chmod 0644 usr/lib/tmpfiles.d/apps.conf usr/lib/tmpfiles.d/linger.conf

# 2d. rootless quadlets
install -d -m 0755 etc/containers/systemd/users etc/containers/systemd/users/2001 etc/containers/systemd/users/2002
cat > etc/containers/systemd/users/2001/grafana.container <<'EOF'
[Unit]
Description=Grafana (rootless, user grafana)

[Container]
ContainerName=grafana
Image=docker.io/grafana/grafana-oss:11.1.0
Volume=grafana-data:/var/lib/grafana
PublishPort=127.0.0.1:3000:3000
Environment=GF_SERVER_ROOT_URL=/grafana/ GF_SERVER_SERVE_FROM_SUB_PATH=true
AutoUpdate=registry

[Service]
Restart=always

[Install]
WantedBy=default.target
EOF
cat > etc/containers/systemd/users/2002/forgejo.pod <<'EOF'
[Unit]
Description=Forgejo pod (rootless, user forgejo)

[Pod]
PodName=forgejo
PublishPort=127.0.0.1:3001:3000
PublishPort=2222:22

[Install]
WantedBy=default.target
EOF
cat > etc/containers/systemd/users/2002/forgejo.container <<'EOF'
[Unit]
Description=Forgejo (rootless, user forgejo)

[Container]
ContainerName=forgejo-app
Pod=forgejo.pod
Image=docker.io/forgejo/forgejo:9
Volume=forgejo-data:/data
Environment=USER_UID=1000 USER_GID=1000
AutoUpdate=registry

[Service]
Restart=always

[Install]
WantedBy=default.target
EOF
chmod 0644 etc/containers/systemd/users/2001/* etc/containers/systemd/users/2002/*

# 2e. what a bootc base provides: the kernel and initramfs in usr/lib/modules/KVER (kernel-single;
#     the host's boot partition is mounted over /boot), /sysroot and the /ostree link
#     (baseimage-root), composefs (baseimage-composefs) and a kargs.d file.
M=usr/lib/modules/$KVER
[[ -e boot/vmlinuz-$KVER ]]    && mv boot/vmlinuz-$KVER    $M/vmlinuz
[[ -e boot/initrd.img-$KVER ]] && mv boot/initrd.img-$KVER $M/initramfs.img
[[ -e boot/config-$KVER ]]     && mv boot/config-$KVER     $M/config
[[ -e boot/System.map-$KVER ]] && mv boot/System.map-$KVER $M/System.map
[[ -f $M/vmlinuz && -f $M/initramfs.img ]] || { echo "kernel or initramfs missing in $M" >&2; exit 1; }
rm -rf boot/* vmlinuz vmlinuz.old initrd.img initrd.img.old     # the /KVER links now dangle
install -d -m 0755 sysroot
ln -sfn sysroot/ostree ostree
install -d -m 0755 usr/lib/ostree usr/lib/bootc usr/lib/bootc/kargs.d
cat > usr/lib/ostree/prepare-root.conf <<'EOF'
[composefs]
enabled = true
EOF
cat > usr/lib/bootc/kargs.d/10-console.toml <<'EOF'
kargs = ["console=ttyS0,115200n8", "console=tty0"]
match-architectures = ["x86_64"]
EOF
chmod 0644 usr/lib/ostree/prepare-root.conf usr/lib/bootc/kargs.d/10-console.toml

# 2f. a clean build: per-host identity, caches, logs and runtime litter go.
truncate -s 0 etc/machine-id
rm -f etc/ssh/ssh_host_*
rm -rf var/cache/apt/archives/*.deb var/lib/apt/lists/*
rm -f var/lib/dbus/machine-id               # dbus.conf in tmpfiles.d links it to /etc/machine-id
rm -f etc/hostname etc/resolv.conf          # copied from the build host by debootstrap
find var/log -type f -delete                # dpkg.log, apt/*, bootstrap.log, wtmp, ...
rm -f var/cache/debconf/*-old var/lib/dpkg/*-old var/cache/ldconfig/aux-cache
rm -rf run/* tmp/* var/tmp/* dev/*          # tmpfs / devtmpfs on the host
rm -rf debootstrap
cd "$R"

# ---------------------------------------------------------------------------------------------
# 3. OCI image: every path of the rootfs in exactly one layer (longest matching prefix wins; the
#    first layer, the base filesystem, takes what no other prefix matches). A layer also carries
#    its paths' parent directories, as a container build's layers do.
LAYERS=$(cat <<EOF
base|FROM scratch: debootstrap --variant=minbase bookworm (filesystem skeleton, merged-/usr links /bin /lib /lib64 /sbin)|
libs|RUN apt-get install libc6 libsystemd0 libgpgme11 libseccomp2 libdevmapper1.02.1 ... (shared libraries)|usr/lib/x86_64-linux-gnu
bin|RUN apt-get install coreutils util-linux bash findutils grep sed gzip ... (usr/bin)|usr/bin
sbin|RUN apt-get install util-linux e2fsprogs kmod passwd ... (usr/sbin, usr/libexec)|usr/sbin usr/libexec
systemd|RUN apt-get install systemd systemd-sysv dbus (usr/lib/systemd)|usr/lib/systemd
udev|RUN apt-get install udev (rules and hwdb)|usr/lib/udev
podman|RUN apt-get install podman conmon crun netavark aardvark-dns slirp4netns fuse-overlayfs uidmap catatonit|usr/lib/podman usr/libexec/podman usr/share/containers
usrlib|RUN apt-get install ... (other usr/lib: apt, dpkg, openssh, gnupg, locale, terminfo)|usr/lib
k-net|RUN apt-get install linux-image-$KVER (kernel modules: drivers/net)|$M/kernel/drivers/net
k-gpu|RUN apt-get install linux-image-$KVER (kernel modules: drivers/gpu)|$M/kernel/drivers/gpu
k-media|RUN apt-get install linux-image-$KVER (kernel modules: drivers/media)|$M/kernel/drivers/media
k-drivers|RUN apt-get install linux-image-$KVER (kernel modules: other drivers)|$M/kernel/drivers
k-other|RUN apt-get install linux-image-$KVER (kernel modules: fs, net, sound, crypto, arch, lib)|$M/kernel
k-boot|RUN depmod -a $KVER && update-initramfs -c -k $KVER && mv /boot/vmlinuz-$KVER /usr/lib/modules/$KVER/vmlinuz && mv /boot/initrd.img-$KVER /usr/lib/modules/$KVER/initramfs.img|$M
locale|RUN apt-get install ... (usr/share/locale translations)|usr/share/locale
docs|RUN apt-get install ... (usr/share/doc, man, info)|usr/share/doc usr/share/man usr/share/info
share|RUN apt-get install ... (usr/share: zoneinfo, perl5, bash-completion, keyrings, ...)|usr/share
etc|RUN apt-get install ... (default configuration in /etc)|etc
var|RUN apt-get install ... (dpkg database, debconf, systemd state in /var)|var
bootc|RUN mkdir /sysroot && ln -s sysroot/ostree /ostree && install prepare-root.conf kargs.d/10-console.toml|sysroot ostree usr/lib/ostree usr/lib/bootc
policy|COPY policy.json /etc/containers/policy.json|etc/containers/policy.json
envoy|COPY envoy.container /etc/containers/systemd/ && COPY envoy.yaml /etc/envoy/ (rootful Envoy quadlet)|etc/containers/systemd/envoy.container etc/envoy
users|COPY apps.conf /usr/lib/sysusers.d/ && RUN systemd-sysusers && COPY linger.conf apps.conf /usr/lib/tmpfiles.d/ (grafana 2001, forgejo 2002, lingering)|usr/lib/sysusers.d/apps.conf usr/lib/tmpfiles.d/apps.conf usr/lib/tmpfiles.d/linger.conf etc/passwd etc/group etc/shadow etc/gshadow etc/subuid etc/subgid
quadlets|COPY users/ /etc/containers/systemd/users/ (rootless quadlets: grafana; forgejo pod)|etc/containers/systemd/users
cleanup|RUN truncate -s 0 /etc/machine-id && rm -f /etc/ssh/ssh_host_* && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/*|etc/machine-id
EOF
)

rm -rf "$WORK" "$IMG"
mkdir -p "$WORK"
(cd "$ROOT" && find . -mindepth 1 | sed 's|^\./||' | sort) > "$WORK/all.txt"

# prefixes.txt: "layerindex<TAB>prefix"; names.txt: layer names in order
i=0
while IFS='|' read -r name desc prefixes; do
  printf '%s\n' "$name" >> "$WORK/names.txt"
  for p in $prefixes; do printf '%d\t%s\n' "$i" "$p" >> "$WORK/prefixes.txt"; done
  i=$((i+1))
done <<<"$LAYERS"
NLAYERS=$i

# assign every path to a layer; write WORK/L<i>.own (owned paths) and L<i>.list (with parents)
awk -F'\t' -v W="$WORK" '
  FNR==NR { pfx[$2]=$1; next }
  {
    path=$0; best=0; p=path
    while (1) {                       # longest prefix: walk up from the path itself
      if (p in pfx) { best=pfx[p]; break }
      n=split(p, parts, "/"); if (n<=1) break
      p=substr(p, 1, length(p)-length(parts[n])-1)
    }
    print path > (W "/L" best ".own")
    q=path
    while ((k=match(q, /\/[^\/]*$/)) > 0) { q=substr(q, 1, k-1); print q > (W "/L" best ".parents") }
  }' "$WORK/prefixes.txt" "$WORK/all.txt"
for ((i=0; i<NLAYERS; i++)); do
  touch "$WORK/L$i.own" "$WORK/L$i.parents"
  sort -u "$WORK/L$i.own" "$WORK/L$i.parents" > "$WORK/L$i.list"
done

# exactly once: the owned lists partition the rootfs
cat "$WORK"/L*.own | sort > "$WORK/owned.txt"
cmp -s "$WORK/owned.txt" "$WORK/all.txt" || { echo "layer partition does not cover the rootfs exactly once" >&2; exit 1; }

umoci init --layout "$IMG"
umoci new --image "$IMG:$TAG"
i=0
while IFS='|' read -r name desc prefixes; do
  tar -C "$ROOT" --create --file "$WORK/L$i.tar" --no-recursion --numeric-owner \
      --format=posix --pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime,delete=mtime' \
      --verbatim-files-from --files-from "$WORK/L$i.list" </dev/null
  printf '== layer %2d %-10s %6d entries %s\n' "$i" "$name" "$(wc -l < "$WORK/L$i.list")" "$(du -h "$WORK/L$i.tar" | cut -f1)"
  umoci raw add-layer --image "$IMG:$TAG" --history.created_by "$desc" "$WORK/L$i.tar" </dev/null
  rm -f "$WORK/L$i.tar"
  i=$((i+1))
done <<<"$LAYERS"

umoci config --image "$IMG:$TAG" \
  --config.cmd /sbin/init \
  --config.label containers.bootc=1 \
  --config.label org.opencontainers.image.title="instance-clean" \
  --config.label org.opencontainers.image.description="Tier-3 instance image: Debian 12, systemd, podman, Envoy + rootless grafana/forgejo quadlets" \
  --config.label org.opencontainers.image.version="bookworm-$KVER" \
  --history.created_by 'LABEL containers.bootc=1 ... && CMD ["/sbin/init"]'
umoci gc --layout "$IMG"

# ---------------------------------------------------------------------------------------------
# 4. verify
umoci stat --image "$IMG:$TAG" | cut -c1-250
echo "layers: $(umoci stat --image "$IMG:$TAG" --json | jq '[.history[] | select(.empty_layer != true)] | length')"
du -sh "$IMG"
skopeo inspect "oci:$IMG:$TAG" | jq '{Digest, Architecture, Os, Labels, layers: (.Layers | length)}'
