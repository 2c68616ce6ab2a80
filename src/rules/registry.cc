// Every rule kind, one line each.
#include <map>

#include "rules/rule.h"

namespace imagelint {

std::unique_ptr<RuleKind> make_path_absent();
std::unique_ptr<RuleKind> make_path_present();
std::unique_ptr<RuleKind> make_package_absent();
std::unique_ptr<RuleKind> make_package_present();
std::unique_ptr<RuleKind> make_no_build_tools();
std::unique_ptr<RuleKind> make_kernel_single();
std::unique_ptr<RuleKind> make_kmod_vermagic();
std::unique_ptr<RuleKind> make_kmod_version();
std::unique_ptr<RuleKind> make_kmod_depmod();
std::unique_ptr<RuleKind> make_policy_default_deny();
std::unique_ptr<RuleKind> make_units_rootless();
std::unique_ptr<RuleKind> make_tier_boundary();
std::unique_ptr<RuleKind> make_file_mode();
std::unique_ptr<RuleKind> make_label_present();
std::unique_ptr<RuleKind> make_file_content();
std::unique_ptr<RuleKind> make_json_pointer();
std::unique_ptr<RuleKind> make_private_keys();
std::unique_ptr<RuleKind> make_var_run();
std::unique_ptr<RuleKind> make_etc_usretc();
std::unique_ptr<RuleKind> make_bootc_kargs();
std::unique_ptr<RuleKind> make_utf8();
std::unique_ptr<RuleKind> make_api_base_directories();
std::unique_ptr<RuleKind> make_baseimage_root();
std::unique_ptr<RuleKind> make_baseimage_composefs();
std::unique_ptr<RuleKind> make_var_log();
std::unique_ptr<RuleKind> make_var_tmpfiles();
std::unique_ptr<RuleKind> make_sysusers();
std::unique_ptr<RuleKind> make_nonempty_boot();
std::unique_ptr<RuleKind> make_nonempty_run_tmp();
std::unique_ptr<RuleKind> make_buildah_injected();
std::unique_ptr<RuleKind> make_package_verify();

namespace {
const std::map<std::string, std::unique_ptr<RuleKind>>& registry() {
  static const auto* kinds = [] {
    auto* m = new std::map<std::string, std::unique_ptr<RuleKind>>;
    (*m)["path-absent"] = make_path_absent();
    (*m)["path-present"] = make_path_present();
    (*m)["package-absent"] = make_package_absent();
    (*m)["package-present"] = make_package_present();
    (*m)["no-build-tools"] = make_no_build_tools();
    (*m)["package-verify"] = make_package_verify();
    (*m)["kernel-single"] = make_kernel_single();
    (*m)["kmod-vermagic"] = make_kmod_vermagic();
    (*m)["kmod-version"] = make_kmod_version();
    (*m)["kmod-depmod"] = make_kmod_depmod();
    (*m)["policy-default-deny"] = make_policy_default_deny();
    (*m)["units-rootless"] = make_units_rootless();
    (*m)["tier-boundary"] = make_tier_boundary();
    (*m)["file-mode"] = make_file_mode();
    (*m)["label-present"] = make_label_present();
    (*m)["file-content"] = make_file_content();
    (*m)["json-pointer"] = make_json_pointer();
    (*m)["private-keys"] = make_private_keys();
    (*m)["var-run"] = make_var_run();
    (*m)["etc-usretc"] = make_etc_usretc();
    (*m)["bootc-kargs"] = make_bootc_kargs();
    (*m)["utf8"] = make_utf8();
    (*m)["api-base-directories"] = make_api_base_directories();
    (*m)["baseimage-root"] = make_baseimage_root();
    (*m)["baseimage-composefs"] = make_baseimage_composefs();
    (*m)["var-log"] = make_var_log();
    (*m)["var-tmpfiles"] = make_var_tmpfiles();
    (*m)["sysusers"] = make_sysusers();
    (*m)["nonempty-boot"] = make_nonempty_boot();
    (*m)["nonempty-run-tmp"] = make_nonempty_run_tmp();
    (*m)["buildah-injected"] = make_buildah_injected();
    return m;
  }();
  return *kinds;
}
}  // namespace

const RuleKind* find_kind(const std::string& name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : it->second.get();
}

std::vector<std::string> kind_names() {
  std::vector<std::string> out;
  for (auto& [k, v] : registry()) out.push_back(k);
  return out;
}

}  // namespace imagelint
