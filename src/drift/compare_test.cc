#include "drift/compare.h"

#include <gtest/gtest.h>

#include <map>

namespace drift_compare_test {

using namespace imagelint;
using namespace imagelint::drift;

Entry file_entry(const std::string& content, uint32_t mode = 0644) {
  Entry e;
  e.type = EntryType::File;
  e.mode = mode;
  e.size = content.size();
  e.hash = xxh128_of(content);
  return e;
}

FileSystem fs_of(std::vector<std::pair<std::string, Entry>> entries) {
  FileSystem fs;
  std::string why;
  for (auto& [p, e] : entries) EXPECT_TRUE(fs.put(p, e, 0, &why)) << why;
  return fs;
}

TEST(Compare, AddedRemovedAndChangedInPathOrder) {
  FileSystem a = fs_of({{"a", file_entry("1")}, {"b", file_entry("2")}, {"c", file_entry("3")}});
  FileSystem b = fs_of({{"b", file_entry("2")}, {"c", file_entry("33")}, {"d", file_entry("4")}});
  auto changes = compare_filesystems(a, b);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].path, "a");
  EXPECT_EQ(changes[0].kind, ChangeKind::Removed);
  EXPECT_EQ(changes[1].path, "c");
  EXPECT_EQ(changes[1].attrs, kContent);
  EXPECT_EQ(changes[1].detail, "content (size 1 → 2)");
  EXPECT_EQ(changes[2].path, "d");
  EXPECT_EQ(changes[2].kind, ChangeKind::Added);
}

TEST(Compare, TypeChangeAndDevices) {
  Entry dev;
  dev.type = EntryType::Char;
  dev.dev_major = 1;
  dev.dev_minor = 3;
  Entry dev2 = dev;
  dev2.dev_minor = 5;
  Entry link;
  link.type = EntryType::Symlink;
  link.link = "x";
  link.mode = 0777;
  FileSystem a = fs_of({{"dev/null", dev}, {"p", file_entry("x")}});
  FileSystem b = fs_of({{"dev/null", dev2}, {"p", link}});
  auto changes = compare_filesystems(a, b);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].attrs, kDevice);
  EXPECT_EQ(changes[0].detail, "device 1,3 → 1,5");
  EXPECT_EQ(changes[1].attrs, kType | kMode);
}

TEST(Packages, AnUpgradeIsOneChangeAndInstallOnlyPackagesPairByNevra) {
  auto pkg = [](const std::string& name, const std::string& v, const std::string& rel) {
    Package p;
    p.name = name;
    p.version = v;
    p.release = rel;
    p.arch = "x86_64";
    p.db = "rpm";
    p.nevra = name + "-" + v + "-" + rel + ".x86_64";
    return p;
  };
  PackageDb a, b;
  a.packages = {pkg("kmod-zfs", "2.2.7", "1.el10"), pkg("kernel", "6.12.0", "55"), pkg("kernel", "6.12.0", "56"), pkg("gone", "1", "1")};
  b.packages = {pkg("kmod-zfs", "2.2.8", "1.el10"), pkg("kernel", "6.12.0", "56"), pkg("kernel", "6.12.0", "57"), pkg("new", "1", "1")};
  PackageDiff d = diff_packages(a, b);
  ASSERT_EQ(d.changed.size(), 1u);
  EXPECT_EQ(d.changed[0].name, "kmod-zfs");
  EXPECT_EQ(d.changed[0].a, "2.2.7-1.el10");
  EXPECT_EQ(d.changed[0].b, "2.2.8-1.el10");
  EXPECT_EQ(d.added, (std::vector<std::string>{"kernel-6.12.0-57.x86_64", "new-1-1.x86_64"}));
  EXPECT_EQ(d.removed, (std::vector<std::string>{"gone-1-1.x86_64", "kernel-6.12.0-55.x86_64"}));
}

TEST(Config, FieldsAreComparedOneByOne) {
  std::string a = R"({"created": "2026-11-25T00:00:00Z", "architecture": "amd64",
    "config": {"Env": ["PATH=/usr/bin", "A=1"], "Labels": {"io.buildah.version": "1.37", "tier": "2"}, "Cmd": ["/sbin/init"]},
    "history": [{"created": "2026-11-25T00:00:00Z", "created_by": "RUN x"}]})";
  std::string b = R"({"created": "2026-11-26T00:00:00Z", "architecture": "amd64",
    "config": {"Env": ["PATH=/usr/bin", "A=2"], "Labels": {"io.buildah.version": "1.38", "tier": "2"}, "Cmd": ["/sbin/init"]},
    "history": [{"created": "2026-11-26T00:00:00Z", "created_by": "RUN x"}]})";
  auto changes = diff_configs(a, b, {"created", "history.created", "labels.io.buildah.version"});
  std::map<std::string, Class> got;
  for (auto& c : changes) got[c.field] = c.cls;
  EXPECT_EQ(got.size(), 4u);
  EXPECT_EQ(got["created"], Class::Noise);
  EXPECT_EQ(got["history.created"], Class::Noise);
  EXPECT_EQ(got["labels.io.buildah.version"], Class::Noise);
  EXPECT_EQ(got["env.A"], Class::Drift);
}

TEST(Config, HistoryStepByStep) {
  // A rebuild with one more step: every timestamp moved, B adds step 2, a created_by changed.
  std::string a = R"({"history": [{"created": "2026-11-25T00:00:00Z", "created_by": "FROM base"},
    {"created": "2026-11-25T00:00:01Z", "created_by": "ENV A=1", "empty_layer": true}]})";
  std::string b = R"({"history": [{"created": "2026-11-26T00:00:00Z", "created_by": "FROM base"},
    {"created": "2026-11-26T00:00:01Z", "created_by": "ENV A=2", "empty_layer": true},
    {"created": "2026-11-26T00:00:02Z", "created_by": "/bin/sh -c dnf upgrade -y zfs", "comment": "x"}]})";
  auto changes = diff_configs(a, b, {"history.created", "history.comment"});
  std::map<std::string, ConfigChange> got;
  for (auto& c : changes) got[c.field] = c;
  ASSERT_EQ(got.size(), 3u) << testing::PrintToString(got.size());
  EXPECT_EQ(got["history.created"].cls, Class::Noise);
  EXPECT_EQ(got["history.created"].summary, "2 build timestamps differ (steps 0-1)");  // step 2 is B's own
  EXPECT_EQ(got["history.steps"].cls, Class::Drift);
  EXPECT_EQ(got["history.steps"].summary, "B adds step 2: /bin/sh -c dnf upgrade -y zfs (layer 1)");
  EXPECT_EQ(got["history[1].created_by"].a, "\"ENV A=1\"");
  EXPECT_EQ(got["history[1].created_by"].b, "\"ENV A=2\"");
  EXPECT_FALSE(got.count("history[2].comment"));  // part of the step B adds
}

}  // namespace drift_compare_test
