// The units fact: scopes, users, enablement (symlinks, presets), drop-ins, masks and aliases,
// quadlet placement, hostile input and JSON. podman's quadlet corpus is in units_quadlet_test.cc.
#include "facts/units.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "facts/units_test_util.h"

namespace imagelint {
namespace facts_units_test {

using namespace facts_units_test_util;

constexpr const char* kPodmanService =
    "[Unit]\nDescription=Podman API Service\nRequires=podman.socket\n\n"
    "[Service]\nType=exec\nExecStart=/usr/bin/podman $LOGGING system service\n\n"
    "[Install]\nWantedBy=default.target\n";

TEST(Units, RootlessQuadletBelongsToTheUidDirectorysUser) {
  UnitsInput in;
  in.files["etc/containers/systemd/users/1001/app.container"] = "[Container]\nImage=quay.io/acme/app:1\n";
  in.users = {{0, "root"}, {1001, "app"}};
  auto units = classify_units(in);
  ASSERT_EQ(units.size(), 1u);
  const Unit& u = units[0];
  EXPECT_EQ(u.kind, "container");
  EXPECT_EQ(u.scope, "rootless");
  EXPECT_EQ(u.user, "app");
  EXPECT_EQ(u.uid, 1001u);
  EXPECT_EQ(u.runs, (Strings{"quay.io/acme/app:1"}));
  EXPECT_EQ(u.service, "app.service");
  EXPECT_FALSE(u.enabled);
  EXPECT_EQ(u.error, "");
}

TEST(Units, RootfulQuadletRunsAsRoot) {
  UnitsInput in;
  in.files["etc/containers/systemd/envoy.container"] =
      "[Container]\nImage=docker.io/envoyproxy/envoy:v1.31\n[Install]\nWantedBy=multi-user.target\n";
  auto units = classify_units(in);
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0].scope, "rootful");
  EXPECT_EQ(units[0].user, "root");
  EXPECT_FALSE(units[0].uid.has_value());
  EXPECT_TRUE(units[0].enabled);
  EXPECT_EQ(units[0].enabled_by, "install");
}

TEST(Units, PackagedPodmanServiceIsEnabledOnlyByAWantsSymlink) {
  UnitsInput in;
  in.files["usr/lib/systemd/system/podman.service"] = kPodmanService;
  in.files["usr/lib/systemd/system/podman-kube@.service"] =
      "[Service]\nExecStart=/usr/bin/podman kube play --replace --service-container=true %I\n"
      "[Install]\nWantedBy=default.target\n";
  auto off = classify_units(in);
  ASSERT_EQ(off.size(), 2u);
  const Unit& podman = find(off, "usr/lib/systemd/system/podman.service");
  EXPECT_EQ(podman.scope, "system");
  EXPECT_EQ(podman.kind, "service");
  EXPECT_FALSE(podman.enabled);
  EXPECT_EQ(podman.enabled_by, "");
  EXPECT_FALSE(find(off, "usr/lib/systemd/system/podman-kube@.service").enabled);

  in.symlinks["etc/systemd/system/multi-user.target.wants/podman.service"] = "/usr/lib/systemd/system/podman.service";
  in.symlinks["etc/systemd/system/default.target.wants/podman-kube@web.yaml.service"] =
      "/usr/lib/systemd/system/podman-kube@.service";
  auto on = classify_units(in);
  ASSERT_EQ(on.size(), 2u);  // wants links are not units of their own
  EXPECT_TRUE(find(on, "usr/lib/systemd/system/podman.service").enabled);
  EXPECT_EQ(find(on, "usr/lib/systemd/system/podman.service").enabled_by, "symlink");
  const Unit& kube = find(on, "usr/lib/systemd/system/podman-kube@.service");
  EXPECT_TRUE(kube.enabled);
  EXPECT_EQ(kube.instances, (Strings{"web.yaml"}));
}

TEST(Units, PodmanRunWithoutUserRunsAsRoot) {
  UnitsInput in;
  in.files["etc/systemd/system/web.service"] =
      "[Service]\nExecStartPre=-/usr/bin/podman rm -f web\n"
      "ExecStart=/usr/bin/podman run --name web \\\n  -p 8080:80 quay.io/acme/web:2\n"
      "[Install]\nWantedBy=multi-user.target\n";
  in.files["etc/systemd/system/app.service"] = "[Service]\nUser=1001\nExecStart=/usr/bin/podman run quay.io/acme/app\n";
  in.files["etc/systemd/system/dyn.service"] = "[Service]\nDynamicUser=yes\nExecStart=/usr/bin/true\n";
  in.files["etc/systemd/system/app.service.d/10-user.conf"] = "[Service]\nUser=\n";  // resets to root
  in.users = {{1001, "app"}};
  auto units = classify_units(in);
  const Unit& web = find(units, "etc/systemd/system/web.service");
  EXPECT_EQ(web.user, "root");
  EXPECT_EQ(web.runs, (Strings{"/usr/bin/podman run --name web    -p 8080:80 quay.io/acme/web:2"}));
  EXPECT_FALSE(web.enabled);  // [Install] alone enables nothing
  EXPECT_EQ(find(units, "etc/systemd/system/app.service").user, "root");
  EXPECT_EQ(find(units, "etc/systemd/system/dyn.service").user, "dynamic");
  in.files.erase("etc/systemd/system/app.service.d/10-user.conf");
  EXPECT_EQ(find(classify_units(in), "etc/systemd/system/app.service").user, "app");
}

TEST(Units, DropInsBySpecificityThenFileName) {
  UnitsInput in;
  in.files["usr/lib/systemd/system/foo-bar-baz.service"] = "[Service]\nUser=a\nExecStart=/bin/one\n";
  in.files["usr/lib/systemd/system/service.d/10-all.conf"] = "[Service]\nUser=b\nEnvironment=ALL=1\n";
  in.files["etc/systemd/system/foo-.service.d/10-all.conf"] = "[Service]\nUser=c\n";  // overrides service.d's
  in.files["etc/systemd/system/foo-bar-baz.service.d/20-exec.conf"] = "[Service]\nExecStart=\nExecStart=/bin/two\n";
  in.files["etc/systemd/system/foo-bar-baz.service.d/05-user.conf"] = "[Service]\nUser=d\n";
  in.files["usr/lib/systemd/system/other.service.d/10-x.conf"] = "[Service]\nUser=nobody\n";
  auto units = classify_units(in);
  ASSERT_EQ(units.size(), 1u);
  // 05-user.conf, then 10-all.conf from foo-.service.d (not service.d's), then 20-exec.conf.
  EXPECT_EQ(units[0].user, "c");
  EXPECT_EQ(units[0].runs, (Strings{"/bin/two"}));
}

TEST(Units, LinkedDropInsAndDereferencedWantsEntries) {
  UnitsInput in;
  in.files["usr/lib/systemd/system/web.service"] = "[Service]\nExecStart=/bin/web\n";
  in.files["usr/share/web/user.conf"] = "[Service]\nUser=www\n";
  in.symlinks["etc/systemd/system/web.service.d/50-user.conf"] = "/usr/share/web/user.conf";
  in.symlinks["etc/systemd/system/web.service.d/60-gone.conf"] = "/usr/share/web/gone.conf";
  auto units = classify_units(in);
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0].user, "www");
  EXPECT_FALSE(units[0].enabled);
  // A capture that followed the wants symlink hands over a file: its name still counts.
  in.files["etc/systemd/system/multi-user.target.wants/web.service"] = in.files["usr/lib/systemd/system/web.service"];
  units = classify_units(in);
  ASSERT_EQ(units.size(), 1u);
  EXPECT_TRUE(units[0].enabled);
}

TEST(Units, PresetsEnableWhatTheyNameFirst) {
  UnitsInput in;
  in.files["usr/lib/systemd/system/podman.service"] = kPodmanService;
  in.files["usr/lib/systemd/system/podman-auto-update.timer"] =
      "[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n";
  in.files["usr/lib/systemd/system/static.service"] = "[Service]\nExecStart=/bin/true\n";
  in.files["usr/lib/systemd/system/getty@.service"] =
      "[Service]\nExecStart=-/sbin/agetty %I\n[Install]\nWantedBy=getty.target\nDefaultInstance=tty1\n";
  in.presets["usr/lib/systemd/system-preset/90-default.preset"] =
      "# comment\nenable podman-auto-update.timer\nenable static.service\nenable getty@.service\n"
      "enable podman.*\n";
  in.presets["usr/lib/systemd/system-preset/99-default.preset"] = "disable *\n";
  in.presets["usr/lib/systemd/system-preset/50-local.preset"] = "disable podman.service\n";
  auto units = classify_units(in);
  EXPECT_FALSE(find(units, "usr/lib/systemd/system/podman.service").enabled);  // 50-local.preset decides first
  const Unit& timer = find(units, "usr/lib/systemd/system/podman-auto-update.timer");
  EXPECT_TRUE(timer.enabled);
  EXPECT_EQ(timer.enabled_by, "preset");
  EXPECT_EQ(timer.runs, (Strings{"podman-auto-update.service"}));
  EXPECT_FALSE(find(units, "usr/lib/systemd/system/static.service").enabled);  // nothing to install
  const Unit& getty = find(units, "usr/lib/systemd/system/getty@.service");
  EXPECT_TRUE(getty.enabled);
  EXPECT_EQ(getty.instances, (Strings{"tty1"}));
  // /etc's file of the same name replaces /usr's.
  in.presets["etc/systemd/system-preset/50-local.preset"] = "enable podman.service\n";
  EXPECT_TRUE(find(classify_units(in), "usr/lib/systemd/system/podman.service").enabled);
  // No preset line at all: not enabled (documented deviation from systemd's enable-all).
  in.presets.clear();
  EXPECT_FALSE(find(classify_units(in), "usr/lib/systemd/system/podman-auto-update.timer").enabled);
}

TEST(Units, MasksAliasesShadowsAndLinkedUnits) {
  UnitsInput in;
  in.files["usr/lib/systemd/system/dbus-broker.service"] = "[Service]\nExecStart=/usr/bin/dbus-broker-launch\n";
  in.symlinks["etc/systemd/system/dbus.service"] = "/usr/lib/systemd/system/dbus-broker.service";
  in.symlinks["etc/systemd/system/multi-user.target.wants/dbus.service"] = "/etc/systemd/system/dbus.service";
  in.files["usr/lib/systemd/system/podman.socket"] = "[Socket]\nListenStream=%t/podman/podman.sock\n";
  in.symlinks["etc/systemd/system/podman.socket"] = "/dev/null";
  in.symlinks["etc/systemd/system/sockets.target.wants/podman.socket"] = "/usr/lib/systemd/system/podman.socket";
  in.files["usr/lib/systemd/system/sshd.service"] = "[Service]\nExecStart=/usr/sbin/sshd -D\n";
  in.files["etc/systemd/system/sshd.service"] = "[Service]\nExecStart=/usr/sbin/sshd -D -e\n";
  in.symlinks["etc/systemd/system/multi-user.target.wants/sshd.service"] = "/etc/systemd/system/sshd.service";
  in.symlinks["etc/systemd/system/same.service"] = "/usr/lib/systemd/system/sshd.service";  // an alias too
  in.files["opt/app/app.service"] = "[Service]\nExecStart=/opt/app/run\n";
  in.symlinks["etc/systemd/system/app.service"] = "../../../opt/app/app.service";
  in.symlinks["etc/systemd/system/gone.service"] = "/opt/nothing/gone.service";
  auto units = classify_units(in);
  Strings paths;
  for (const auto& u : units) paths.push_back(u.path);
  EXPECT_EQ(paths, (Strings{"etc/systemd/system/app.service", "etc/systemd/system/gone.service",
                            "etc/systemd/system/sshd.service", "usr/lib/systemd/system/dbus-broker.service",
                            "usr/lib/systemd/system/podman.socket", "usr/lib/systemd/system/sshd.service"}));
  EXPECT_TRUE(find(units, "usr/lib/systemd/system/dbus-broker.service").enabled);  // through its alias
  const Unit& socket = find(units, "usr/lib/systemd/system/podman.socket");
  EXPECT_TRUE(socket.masked);
  EXPECT_FALSE(socket.enabled);
  EXPECT_EQ(find(units, "usr/lib/systemd/system/sshd.service").shadowed_by, "etc/systemd/system/sshd.service");
  EXPECT_FALSE(find(units, "usr/lib/systemd/system/sshd.service").enabled);
  EXPECT_TRUE(find(units, "etc/systemd/system/sshd.service").enabled);
  EXPECT_EQ(find(units, "etc/systemd/system/app.service").runs, (Strings{"/opt/app/run"}));
  EXPECT_EQ(find(units, "etc/systemd/system/gone.service").error,
            "symlink to /opt/nothing/gone.service, which is not in the image");
}

TEST(Units, UserUnitsAndHomes) {
  UnitsInput in;
  in.files["usr/lib/systemd/user/podman.socket"] = "[Socket]\nListenStream=%t/podman/podman.sock\n";
  in.symlinks["etc/systemd/user/sockets.target.wants/podman.socket"] = "/usr/lib/systemd/user/podman.socket";
  in.files["var/home/alice/.config/systemd/user/sync.service"] = "[Service]\nExecStart=/usr/bin/rclone sync a b\n";
  in.symlinks["var/home/alice/.config/systemd/user/default.target.wants/sync.service"] = "../sync.service";
  in.files["home/bob/.config/containers/systemd/db.container"] = "[Container]\nImage=docker.io/library/postgres:16\n";
  in.files["home/bob/.config/containers/systemd/db.container.d/10-user.conf"] = "[Container]\nUser=postgres\n";
  in.files["root/.config/containers/systemd/x.container"] = "[Container]\nImage=quay.io/a/x\n";
  in.files["srv/bob/.config/containers/systemd/ignored.container"] = "[Container]\nImage=quay.io/a/x\n";
  in.users = {{1000, "alice"}};
  auto units = classify_units(in);
  ASSERT_EQ(units.size(), 4u);
  const Unit& sock = find(units, "usr/lib/systemd/user/podman.socket");
  EXPECT_EQ(sock.scope, "user");
  EXPECT_EQ(sock.user, "*");
  EXPECT_TRUE(sock.enabled);
  const Unit& sync = find(units, "var/home/alice/.config/systemd/user/sync.service");
  EXPECT_EQ(sync.scope, "user");
  EXPECT_EQ(sync.user, "alice");
  EXPECT_EQ(sync.uid, 1000u);
  EXPECT_TRUE(sync.enabled);
  const Unit& db = find(units, "home/bob/.config/containers/systemd/db.container");
  EXPECT_EQ(db.scope, "rootless");
  EXPECT_EQ(db.user, "postgres");  // [Container] User=, from the drop-in
  EXPECT_FALSE(db.uid.has_value());
  const Unit& x = find(units, "root/.config/containers/systemd/x.container");
  EXPECT_EQ(x.scope, "rootful");
  EXPECT_EQ(x.user, "root");
}

TEST(Units, QuadletPodsTemplatesAndSharedUserDirectories) {
  UnitsInput in;
  const std::string dir = "etc/containers/systemd/users/1001/";
  in.files[dir + "app.pod"] = "[Pod]\nPublishPort=8080:80\n[Install]\nWantedBy=default.target\n";
  in.files[dir + "web.container"] = "[Container]\nImage=quay.io/acme/web\nPod=app.pod\n";
  in.files[dir + "job.container"] = "[Container]\nImage=quay.io/acme/job\nPod=app.pod\nStartWithPod=no\n";
  in.files[dir + "sub/worker@.container"] = "[Container]\nImage=quay.io/acme/worker\nExec=work %i\n";
  in.symlinks[dir + "sub/worker@1.container"] = "worker@.container";
  in.files[dir + "sub/worker@1.container.d/10.conf"] = "[Install]\nWantedBy=default.target\n";
  in.files["etc/containers/systemd/users/tools.container"] = "[Container]\nImage=quay.io/acme/tools\n";
  in.files["etc/containers/systemd/users/ref.container"] = "[Container]\nImage=quay.io/acme/x\nPod=app.pod\n";
  in.files["usr/share/containers/systemd/broken.container"] =
      "[Container]\nImage=quay.io/acme/b\nUnknownKey=1\n[Install]\nWantedBy=multi-user.target\n";
  in.symlinks["etc/systemd/system/multi-user.target.wants/plain.service"] = "/run/systemd/generator/plain.service";
  in.files["etc/containers/systemd/plain.container"] = "[Container]\nImage=quay.io/acme/plain\n";
  in.users = {{1001, "app"}};
  auto units = classify_units(in);
  ASSERT_EQ(units.size(), 9u);
  const Unit& pod = find(units, dir + "app.pod");
  EXPECT_TRUE(pod.enabled);
  EXPECT_EQ(pod.service, "app-pod.service");
  EXPECT_EQ(pod.runs, (Strings{"job.container", "web.container"}));
  const Unit& web = find(units, dir + "web.container");
  EXPECT_EQ(web.pod, "app.pod");
  EXPECT_TRUE(web.enabled);
  EXPECT_EQ(web.enabled_by, "pod");
  EXPECT_FALSE(find(units, dir + "job.container").enabled);
  EXPECT_FALSE(find(units, dir + "sub/worker@.container").enabled);  // a template without DefaultInstance
  const Unit& one = find(units, dir + "sub/worker@1.container");
  EXPECT_TRUE(one.enabled);
  EXPECT_EQ(one.runs, (Strings{"quay.io/acme/worker"}));
  EXPECT_EQ(one.service, "worker@1.service");
  const Unit& tools = find(units, "etc/containers/systemd/users/tools.container");
  EXPECT_EQ(tools.scope, "rootless");
  EXPECT_EQ(tools.user, "*");
  // Every user's quadlets do not see one user's pod.
  EXPECT_EQ(find(units, "etc/containers/systemd/users/ref.container").error, "quadlet pod unit app.pod does not exist");
  const Unit& broken = find(units, "usr/share/containers/systemd/broken.container");
  EXPECT_EQ(broken.error, "unsupported key 'UnknownKey' in group 'Container'");
  EXPECT_FALSE(broken.enabled);  // quadlet generates nothing for it
  const Unit& plain = find(units, "etc/containers/systemd/plain.container");
  EXPECT_TRUE(plain.enabled);
  EXPECT_EQ(plain.enabled_by, "symlink");
}

TEST(Units, HostileInputIsAnErrorOfThatUnit) {
  UnitsInput in;
  in.files["etc/systemd/system/huge.service"] = std::string(10u << 20, 'x');
  in.files["etc/systemd/system/long.service"] = "[Service]\nExecStart=" + std::string(2u << 20, 'x') + "\n";
  in.symlinks["etc/containers/systemd/loop.container"] = "loop.container";
  in.files["etc/systemd/system/ok.service"] = "[Service]\nExecStart=/bin/true\n";
  auto units = classify_units(in);
  ASSERT_EQ(units.size(), 4u);
  EXPECT_EQ(find(units, "etc/systemd/system/huge.service").error,
            "10485760 bytes, over the 4 MiB limit for a unit file");
  EXPECT_EQ(find(units, "etc/systemd/system/long.service").error, "line 2: line longer than 1 MiB");
  EXPECT_EQ(find(units, "etc/containers/systemd/loop.container").error,
            "symlink to loop.container loops or leaves the image");
  EXPECT_EQ(find(units, "etc/systemd/system/ok.service").error, "");
}

TEST(Units, Json) {
  UnitsInput in;
  in.files["etc/containers/systemd/users/1001/app.container"] = "[Container]\nImage=app\n";
  in.users = {{1001, "app"}};
  auto j = units_to_json(classify_units(in));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["path"], "etc/containers/systemd/users/1001/app.container");
  EXPECT_EQ(j[0]["kind"], "container");
  EXPECT_EQ(j[0]["scope"], "rootless");
  EXPECT_EQ(j[0]["enabled"], false);
  EXPECT_EQ(j[0]["user"], "app");
  EXPECT_EQ(j[0]["uid"], 1001);
  EXPECT_EQ(j[0]["runs"], nlohmann::json::array({"app"}));
  EXPECT_EQ(j[0]["service"], "app.service");
  ASSERT_EQ(j[0]["warnings"].size(), 1u);
  EXPECT_NE(j[0]["warnings"][0].get<std::string>().find("not a fully qualified image name"), std::string::npos);
  EXPECT_FALSE(j[0].contains("error"));
  EXPECT_FALSE(j[0].contains("enabled_by"));
}

}  // namespace facts_units_test
}  // namespace imagelint
