// Markdown and HTML text for reports that people read in a merge request or a browser: every
// string from an image passes through one of these (after escape_bytes: no control bytes).
#pragma once
#include <string>

namespace imagelint {

// Inline code in a table cell: control bytes escaped (a lone '\r' ends a line in CommonMark),
// backticks replaced, '|' escaped.
std::string md_code(const std::string& s);
// Text in a table cell or a list item: control bytes escaped, markdown and HTML characters too (a
// backslash from a name is doubled, so it shows and escapes nothing); '@' and '#' as entities, so
// a file name mentions no one and references no issue in GitLab.
std::string md_text(const std::string& s);
// Text inside raw HTML (<summary>, an HTML page): entities, not backslashes; quotes too, so it
// is safe in an attribute.
std::string html_text(const std::string& s);
// The start of a self-contained page (report's trend and fleet pages): doctype, charset, a
// Content-Security-Policy under which nothing runs and nothing is fetched (images: data: URLs
// only when data_images), viewport and title, up to <style>.
std::string html_page_start(const std::string& title, bool data_images);
// A code fence longer than any run of backticks in the text, so the text cannot close it.
std::string fence_for(const std::string& text);

}  // namespace imagelint
