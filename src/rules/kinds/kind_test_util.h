// Kind tests: an image built in memory (entries, content, facts, labels), one shipped rule run
// over it as `imagelint check` runs it, and the findings it gives. No image, binary or disk.
//
//   Fixture f;
//   f.dir("var/run");
//   EXPECT_TRUE(one_finding(f.run("var-run"), "var/run", Severity::Error, "not a symlink"));
#pragma once
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "facts/facts.h"
#include "fs/capture.h"
#include "fs/filesystem.h"
#include "image/image.h"
#include "rules/engine.h"
#include "rules/packs.h"
#include "rules/rule.h"
#include "util/hash.h"

namespace imagelint::kind_test {

// The rule `id` as the shipped pack declares it (its kind, severity and params).
inline RuleSpec shipped_rule(const std::string& id, const std::string& pack = kDefaultPack) {
  for (RuleSpec& r : load_rules({pack}).rules)
    if (r.id == id) return r;
  throw std::runtime_error("no rule " + id + " in pack " + pack);
}

// A rule of a kind no shipped pack uses, as a user pack would declare it (params: a JSON object;
// validated as the loader does).
inline RuleSpec user_rule(const std::string& kind, const std::string& params, Severity severity = Severity::Error) {
  RuleSpec r;
  r.id = "test-" + kind;
  r.kind = kind;
  r.pack = "test";
  r.severity = severity;
  r.summary = "test";
  r.params = nlohmann::json::parse(params);
  const RuleKind* k = find_kind(kind);
  if (!k) throw std::runtime_error("no kind " + kind);
  k->validate(r);
  return r;
}

// An installed rpm package (what facts/rpmdb.h reads from an rpmdb).
inline Package rpm(const std::string& name, const std::string& version, const std::string& release,
                   std::vector<std::string> files = {}) {
  Package p;
  p.name = name;
  p.version = version;
  p.release = release;
  p.arch = "x86_64";
  p.nevra = name + "-" + version + "-" + release + ".x86_64";
  p.db = "rpm";
  p.files = std::move(files);
  return p;
}

struct Fixture {
  Image image;
  Facts facts;
  FileSystem fs;
  int layer = 0;  // the layer the next entries are put in (image.layers grows to hold it)

  Fixture& file(const std::string& path, const std::string& content, uint32_t mode = 0644) {
    Entry e;
    e.type = EntryType::File;
    e.mode = mode;
    e.size = content.size();
    e.hash = xxh128_of(content);
    put(path, std::move(e));
    content_[path] = content;
    return *this;
  }
  Fixture& dir(const std::string& path, uint32_t mode = 0755) {
    Entry e;
    e.type = EntryType::Dir;
    e.mode = mode;
    return put(path, std::move(e));
  }
  Fixture& symlink(const std::string& path, const std::string& target) {
    Entry e;
    e.type = EntryType::Symlink;
    e.mode = 0777;
    e.link = target;
    return put(path, std::move(e));
  }
  // A whiteout in the current layer: path and everything below it are gone.
  Fixture& remove(const std::string& path) {
    fs.whiteout(path, layer);
    return *this;
  }
  // check --base: everything so far (filesystem, packages) is the base image's; what follows goes
  // into the next layer, the instance's own.
  Fixture& end_base() {
    auto base = std::make_shared<BaseState>();
    base->ref = "base";
    base->layers = layer + 1;
    base->fs = std::make_shared<const FileSystem>(fs);
    base->packages = facts.packages;
    base->packages.reindex();
    facts.base = base;
    ++layer;
    return *this;
  }
  // Any other entry (devices, fifos, odd modes), as is.
  Fixture& put(const std::string& path, Entry e) {
    e.data_layer = layer;
    std::string why;
    if (!fs.put(path, std::move(e), layer, &why)) throw std::runtime_error(path + ": " + why);
    while (image.layers.size() <= static_cast<size_t>(layer)) {
      LayerInfo l;
      l.index = static_cast<int>(image.layers.size());
      l.created_by = "RUN layer " + std::to_string(l.index);
      image.layers.push_back(l);
    }
    return *this;
  }

  // The facts' package database (reindexed by run()).
  Fixture& package(Package p) {
    facts.packages.packages.push_back(std::move(p));
    return *this;
  }

  std::vector<Finding> run(const std::string& rule_id, const std::string& pack = kDefaultPack) {
    return run(shipped_rule(rule_id, pack));
  }

  // As check does: the kind declares its captures, the content of every file is fed to them as
  // the builder's pass would (then what resolves through links, as its second read would), and
  // the engine runs the rule (severity bounded by the rule's, package owners filled, sorted).
  std::vector<Finding> run(const RuleSpec& rule) {
    const RuleKind* kind = find_kind(rule.kind);
    if (!kind) throw std::runtime_error("no kind " + rule.kind);
    kind->validate(rule);
    CaptureSet captures;
    CaptureRequests wants(captures);
    kind->declare(rule, wants);
    for (auto& [path, content] : content_) {
      const Entry* e = fs.find(path);
      if (!e || e->type != EntryType::File) continue;  // replaced since
      std::unique_ptr<CaptureSet::Active> sinks = captures.open(path, *e);
      if (!sinks) continue;
      CaptureSet::write(*sinks, content.data(), content.size());
      CaptureSet::end_visitors(*sinks);
      captures.close(path, std::move(sinks));
    }
    for (auto& [data_layer, names] : captures.finish(fs))
      for (auto& [name, path] : names) {
        auto it = content_.find(path);
        const std::string bytes = it == content_.end() ? std::string() : it->second;
        Captured c;
        c.size = bytes.size();
        c.data = bytes.substr(0, static_cast<size_t>(captures.cap_for(path)));
        c.truncated = c.size > c.data.size();
        c.layer = fs.find(path)->layer;
        captures.store(path, std::move(c));
      }
    captures.settle();
    facts.packages.reindex();
    Context ctx{image, fs, facts, captures};
    RuleSet set;
    set.rules = {rule};
    RunContext run;
    run.today = "2026-01-01";
    run.threads = 1;
    return run_rules(set, ctx, {}, run).findings;
  }

 private:
  std::map<std::string, std::string> content_;
};

inline std::string describe(const std::vector<Finding>& got) {
  std::string s;
  for (const Finding& f : got)
    s += std::string("\n  ") + severity_name(f.severity) + " [" + f.path + "] " + f.message;
  return s.empty() ? " (none)" : s;
}

inline bool matches(const Finding& f, const std::string& path, Severity severity, const std::string& part) {
  return f.path == path && f.severity == severity && f.message.find(part) != std::string::npos;
}

inline ::testing::AssertionResult no_findings(const std::vector<Finding>& got) {
  if (got.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected no finding, got:" << describe(got);
}

// Exactly one finding, at path, of that severity, its message holding part.
inline ::testing::AssertionResult one_finding(const std::vector<Finding>& got, const std::string& path, Severity severity,
                                              const std::string& part) {
  if (got.size() == 1 && matches(got[0], path, severity, part)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected exactly one " << severity_name(severity) << " [" << path << "] \"…" << part
                                       << "…\", got:" << describe(got);
}

// Some finding (among others) at path, of that severity, its message holding part.
inline ::testing::AssertionResult has_finding(const std::vector<Finding>& got, const std::string& path, Severity severity,
                                              const std::string& part) {
  for (const Finding& f : got)
    if (matches(f, path, severity, part)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected a " << severity_name(severity) << " [" << path << "] \"…" << part
                                       << "…\", got:" << describe(got);
}

}  // namespace imagelint::kind_test
