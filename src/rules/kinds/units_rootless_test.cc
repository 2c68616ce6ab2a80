#include "rules/kinds/kind_test_util.h"

namespace imagelint::kind_test {
namespace rules_kinds_units_rootless_test {

// The units fact as the pass classifies the image's unit and quadlet files.
void set_units(Fixture& f, UnitsInput in) {
  for (auto& [path, text] : in.files) f.file(path, text);
  for (auto& [path, target] : in.symlinks) f.symlink(path, target);
  f.facts.units = classify_units(in);
}

TEST(KindUnitsRootless, EnvoyRootfulAndLingeringRootlessQuadletsPass) {
  Fixture f;
  UnitsInput in;
  in.files["etc/containers/systemd/envoy.container"] = "[Container]\nImage=docker.io/envoyproxy/envoy:v1.31\n[Install]\nWantedBy=multi-user.target\n";
  in.files["etc/containers/systemd/users/1001/app.container"] = "[Container]\nImage=quay.io/acme/app:1\n[Install]\nWantedBy=default.target\n";
  in.files["usr/lib/systemd/system/podman-restart.service"] = "[Service]\nExecStart=/usr/bin/podman start --all --filter restart-policy=always\n";
  in.symlinks["etc/systemd/system/multi-user.target.wants/podman-restart.service"] = "/usr/lib/systemd/system/podman-restart.service";
  in.users = {{0, "root"}, {1001, "app"}};
  set_units(f, in);
  f.facts.users.sysusers = parse_sysusers("usr/lib/sysusers.d/app.conf", "u app 1001 \"App\" /var/home/app\n", f.facts.users.notes);
  f.facts.users.lingering = {"app"};
  EXPECT_TRUE(no_findings(f.run("units-rootless")));
}

TEST(KindUnitsRootless, RootfulApplicationQuadletFails) {
  Fixture f;
  UnitsInput in;
  in.files["etc/containers/systemd/web.container"] = "[Container]\nImage=docker.io/library/nginx:1.27\n";
  set_units(f, in);
  EXPECT_TRUE(one_finding(f.run("units-rootless"), "etc/containers/systemd/web.container", Severity::Error,
                          "rootful container quadlet web.container (only envoy(@.*)?\\.(container|pod|kube|service)"));
}

TEST(KindUnitsRootless, EnabledServiceRunningPodmanAsRootFails) {
  Fixture f;
  UnitsInput in;
  in.files["usr/lib/systemd/system/web.service"] = "[Service]\nExecStart=/usr/bin/podman run --rm docker.io/library/nginx\n[Install]\nWantedBy=multi-user.target\n";
  in.symlinks["etc/systemd/system/multi-user.target.wants/web.service"] = "/usr/lib/systemd/system/web.service";
  set_units(f, in);
  EXPECT_TRUE(one_finding(f.run("units-rootless"), "usr/lib/systemd/system/web.service", Severity::Error,
                          "enabled system service web.service starts a container as root: /usr/bin/podman run --rm"));
}

TEST(KindUnitsRootless, ServiceRunningPodmanAsAUserPasses) {
  Fixture f;
  UnitsInput in;
  in.files["usr/lib/systemd/system/web.service"] = "[Service]\nUser=app\nExecStart=/usr/bin/podman run --rm docker.io/library/nginx\n";
  in.symlinks["etc/systemd/system/multi-user.target.wants/web.service"] = "/usr/lib/systemd/system/web.service";
  set_units(f, in);
  EXPECT_TRUE(no_findings(f.run("units-rootless")));
}

TEST(KindUnitsRootless, EnabledApiSocketIsAWarning) {
  Fixture f;
  UnitsInput in;
  in.files["usr/lib/systemd/system/podman.socket"] = "[Socket]\nListenStream=%t/podman/podman.sock\n[Install]\nWantedBy=sockets.target\n";
  in.symlinks["etc/systemd/system/sockets.target.wants/podman.socket"] = "/usr/lib/systemd/system/podman.socket";
  set_units(f, in);
  EXPECT_TRUE(one_finding(f.run("units-rootless"), "usr/lib/systemd/system/podman.socket", Severity::Warning,
                          "the rootful podman API socket is enabled"));
}

TEST(KindUnitsRootless, RootlessQuadletOfAnUndeclaredUserFails) {
  Fixture f;
  UnitsInput in;
  in.files["var/home/bob/.config/containers/systemd/app.container"] = "[Container]\nImage=quay.io/acme/app:1\n";
  set_units(f, in);
  EXPECT_TRUE(one_finding(f.run("units-rootless"), "var/home/bob/.config/containers/systemd/app.container", Severity::Error,
                          "rootless quadlet app.container belongs to user bob, declared in neither sysusers.d nor passwd"));
}

TEST(KindUnitsRootless, RootlessQuadletOfAUserWhoDoesNotLingerFails) {
  Fixture f;
  UnitsInput in;
  in.files["etc/containers/systemd/users/1001/app.container"] = "[Container]\nImage=quay.io/acme/app:1\n";
  in.users = {{1001, "app"}};
  set_units(f, in);
  f.facts.users.passwd = parse_passwd("app:x:1001:1001::/var/home/app:/bin/bash\n", f.facts.users.notes);
  EXPECT_TRUE(one_finding(f.run("units-rootless"), "etc/containers/systemd/users/1001/app.container", Severity::Error,
                          "user app does not linger (no tmpfiles.d entry for var/lib/systemd/linger/app): app.container will not start at boot"));
}

TEST(KindUnitsRootless, UnreadableEnabledServiceIsAWarning) {
  Fixture f;
  Unit u;
  u.path = "usr/lib/systemd/system/odd.service";
  u.name = "odd.service";
  u.kind = "service";
  u.scope = "system";
  u.enabled = true;
  u.error = "line 3: unbalanced quotes";
  f.file(u.path, "[Service]\nExecStart=\"/bin/x\n");
  f.facts.units = {u};
  EXPECT_TRUE(one_finding(f.run("units-rootless"), "usr/lib/systemd/system/odd.service", Severity::Warning,
                          "enabled service odd.service could not be read (line 3: unbalanced quotes): whether it starts a container as root is unknown"));
}

}  // namespace rules_kinds_units_rootless_test
}  // namespace imagelint::kind_test
