#include "report/markdown.h"

#include <algorithm>

#include <fmt/format.h>

#include "util/text.h"

namespace imagelint {

std::string md_code(const std::string& s) {
  std::string out;
  for (char ch : escape_bytes(s, false)) {
    if (ch == '`') out += '\'';
    else if (ch == '|') out += "\\|";
    else out += ch;
  }
  return fmt::format("`{}`", out);
}

std::string md_text(const std::string& s) {
  std::string out;
  for (char ch : escape_bytes(s, false)) {
    if (ch == '@') out += "&#64;";  // no @mention of a user or group from a file name
    else if (ch == '#') out += "&#35;";  // no #issue reference
    else {
      if (ch == '\\' || ch == '|' || ch == '<' || ch == '>' || ch == '*' || ch == '_' || ch == '[' || ch == ']' || ch == '`') out += '\\';
      out += ch;
    }
  }
  return out;
}

std::string html_text(const std::string& s) {
  std::string out;
  for (char ch : escape_bytes(s, false)) {
    if (ch == '<') out += "&lt;";
    else if (ch == '>') out += "&gt;";
    else if (ch == '&') out += "&amp;";
    else if (ch == '"') out += "&quot;";
    else out += ch;
  }
  return out;
}

std::string fence_for(const std::string& text) {
  size_t longest = 0, run = 0;
  for (char ch : text) {
    run = ch == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<size_t>(3, longest + 1), '`');
}

std::string html_page_start(const std::string& title, bool data_images) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += std::string("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'") +
         (data_images ? "; img-src data:" : "") + "\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + html_text(title) + "</title>\n";
  return out;
}

}  // namespace imagelint
