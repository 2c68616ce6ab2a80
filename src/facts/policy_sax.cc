// The SAX handler's walk over the document: keys, values and ends of objects and lists, from the
// root down to each list of requirements (policy_requirement.cc reads the requirements).
#include "facts/policy_internal.h"

namespace imagelint::policy_internal {

bool PolicySax::key(std::string& k) {
  if (failed() || skip_) return true;
  switch (top()) {
    case In::Root:
      if ((k == "default" && seen_default_) || (k == "transports" && seen_transports_)) {
        fail("Duplicate key " + quote(k));
      } else if (k == "default") {
        seen_default_ = true;
      } else if (k == "transports") {
        seen_transports_ = true;
      } else {
        fail("Unknown key " + quote(k));
      }
      root_key_ = k;
      break;
    case In::Transports:
      if (policy_.transports.count(k)) {
        fail("transports: Duplicate key " + quote(k));
        break;
      }
      transport_ = k;
      scopes_ = &policy_.transports[k];
      break;
    case In::Scopes:
      if (scopes_->count(k)) {
        fail("transports[" + quote(transport_) + "]: Duplicate key " + quote(k));
      } else if (std::string why = scope_problem(transport_, k); !why.empty()) {
        fail("transports[" + quote(transport_) + "]: invalid scope " + quote(k) + ": " + why);
      }
      scope_key_ = k;
      break;
    case In::Requirement:
      requirement_key(k);
      break;
    case In::Identity:
      identity_key(k);
      break;
    case In::Fulcio:
    case In::Pki:
      sub_key(k);
      break;
    default: break;
  }
  return true;
}

// A key in a requirement object: the field it names, or why containers/image refuses it.
void PolicySax::requirement_key(const std::string& k) {
  req_key_index_ = req_.nkeys++;
  req_type_key_ = iequals(k, "type");
  req_field_ = RF::Unknown;
  for (auto& [name, f] : kReqFields)
    if (k == name) req_field_ = f;
  if (req_field_ == RF::Unknown) {
    req_.fields.set(req_key_index_, "Unknown key " + quote(k));
  } else if (req_.present & bit(req_field_)) {
    req_.fields.set(req_key_index_, "Duplicate key " + quote(k));
  } else {
    req_.present |= bit(req_field_);
    req_.order.emplace_back(req_field_, req_key_index_);
  }
}

// A key in a signedIdentity / baseLayerIdentity object: the field it names, or why it is refused.
void PolicySax::identity_key(const std::string& k) {
  ident_key_index_ = ident_.nkeys++;
  ident_type_key_ = iequals(k, "type");
  ident_field_ = IF::Unknown;
  for (auto& [name, f] : kIdentityFields)
    if (k == name) ident_field_ = f;
  if (ident_field_ == IF::Unknown) {
    ident_.fields.set(ident_key_index_, "Unknown key " + quote(k));
  } else if (ident_.present & bit(ident_field_)) {
    ident_.fields.set(ident_key_index_, "Duplicate key " + quote(k));
  } else {
    ident_.present |= bit(ident_field_);
    ident_.order.emplace_back(ident_field_, ident_key_index_);
  }
}

// A key in a fulcio / pki object: known to that object and not repeated, or why it is refused.
void PolicySax::sub_key(const std::string& k) {
  size_t index = sub_.nkeys++;
  static const char* const kFulcio[] = {"caPath", "caData", "oidcIssuer", "subjectEmail"};
  static const char* const kPki[] = {"caRootsPath",         "caRootsData",  "caIntermediatesPath",
                                     "caIntermediatesData", "subjectEmail", "subjectHostname"};
  bool known = false;
  if (top() == In::Fulcio) {
    for (const char* n : kFulcio) known |= k == n;
  } else {
    for (const char* n : kPki) known |= k == n;
  }
  if (std::find(sub_.seen.begin(), sub_.seen.end(), k) != sub_.seen.end()) {
    sub_.fields.set(index, "Duplicate key " + quote(k));
  } else if (!known) {
    sub_.fields.set(index, "Unknown key " + quote(k));
  } else {
    sub_.seen.push_back(k);
  }
  sub_.key = known ? k : "";
}

void PolicySax::begin_list(PolicyRequirements* target, bool is_default) {
  list_ = target;
  in_default_ = is_default;
  push(In::List);
}

bool PolicySax::value(Tok t, std::string* s) {
  if (failed()) return true;
  if (skip_) {
    if (t == Tok::Object || t == Tok::Array) ++skip_;
    return true;
  }
  switch (top()) {
    case In::Document:
      if (t == Tok::Object) {
        push(In::Root);
      } else {
        fail("JSON object expected, got " + std::string(tok_name(t)));
      }
      break;
    case In::Root:
      if (root_key_ == "default") {
        if (t == Tok::Array) {
          begin_list(&policy_.default_reqs, true);
        } else if (t == Tok::Null) {
          fail(std::string("default: ") + kEmptyList);
        } else {
          fail("default: expected an array of requirements, got " + std::string(tok_name(t)));
        }
      } else if (t == Tok::Object) {
        push(In::Transports);
      } else {
        fail("transports: JSON object expected, got " + std::string(tok_name(t)));
      }
      break;
    case In::Transports:
      if (t == Tok::Object) {
        push(In::Scopes);
      } else {
        fail("transports[" + quote(transport_) + "]: JSON object expected, got " + tok_name(t));
      }
      break;
    case In::Scopes:
      if (t == Tok::Array) {
        begin_list(&(*scopes_)[scope_key_], false);
      } else {
        in_default_ = false;
        fail(list_location() + ": " +
             (t == Tok::Null ? kEmptyList : "expected an array of requirements, got " + std::string(tok_name(t))));
      }
      break;
    case In::List: {
      if (t == Tok::Object) {
        req_ = Req{};
        push(In::Requirement);
      } else if (t == Tok::Null) {
        fail(requirement_location() + ": Unknown policy requirement type \"\"");
      } else {
        fail(requirement_location() + ": JSON object expected, got " + tok_name(t));
      }
      break;
    }
    case In::Requirement: requirement_value(t, s); break;
    case In::Identity: identity_value(t, s); break;
    case In::Fulcio:
    case In::Pki: sub_value(t, s); break;
    case In::Strings: strings_value(t, s); break;
  }
  return true;
}


bool PolicySax::end() {
  if (failed()) return true;
  if (skip_) {
    --skip_;
    return true;
  }
  In done = top();
  stack_.pop_back();
  switch (done) {
    case In::Root:
      if (!seen_default_) fail("Default policy is missing");
      break;
    case In::List:
      if (list_->empty()) fail(list_location() + ": " + kEmptyList);
      break;
    case In::Requirement: finish_requirement(); break;
    case In::Identity: finish_identity(); break;
    case In::Fulcio:
    case In::Pki: finish_sub(); break;
    default: break;
  }
  return true;
}


}  // namespace imagelint::policy_internal
