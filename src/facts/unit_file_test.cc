#include "facts/unit_file.h"

#include <gtest/gtest.h>

namespace imagelint {
namespace facts_unit_file_test {

using Strings = std::vector<std::string>;

UnitFile parse(std::string_view text, UnitSyntax syntax = UnitSyntax::kSystemd) {
  UnitFile f(syntax);
  EXPECT_TRUE(f.add(text)) << f.error();
  return f;
}

TEST(UnitFile, SectionsKeysCommentsAndWhitespace) {
  UnitFile f = parse(
      "# leading comment\n"
      "; another\n"
      "[Unit]\n"
      "  Description =  A service  \n"
      "\n"
      "[Service]\n"
      "\tExecStart=/usr/bin/podman run --rm quay.io/x/y\n"
      "   # an indented comment\n"
      "User=app\n"
      "[Unit]\n"
      "After=network-online.target\n");
  EXPECT_EQ(f.sections(), (Strings{"Unit", "Service"}));
  EXPECT_EQ(f.last("Unit", "Description"), "A service");
  EXPECT_EQ(f.last("Service", "ExecStart"), "/usr/bin/podman run --rm quay.io/x/y");
  EXPECT_EQ(f.last("Service", "User"), "app");
  EXPECT_EQ(f.keys("Unit"), (Strings{"Description", "After"}));  // a repeated section merges
  EXPECT_FALSE(f.has("Service", "Group"));
  EXPECT_FALSE(f.has("Install", "WantedBy"));
  EXPECT_EQ(f.assignments()[0].line, 4u);
  EXPECT_TRUE(f.notes().empty());
}

TEST(UnitFile, ContinuationLinesAsSystemdJoinsThem) {
  // systemd replaces the backslash by a space and keeps the next line as it is.
  UnitFile f = parse(
      "[Service]\n"
      "ExecStart=/bin/echo a \\\n"
      "  b \\\n"
      "c\n"
      "Environment=X=1\n");
  EXPECT_EQ(f.last("Service", "ExecStart"), "/bin/echo a    b  c");
  EXPECT_EQ(f.last("Service", "Environment"), "X=1");
  EXPECT_EQ(f.assignments()[0].line, 2u);
  EXPECT_EQ(f.assignments()[1].line, 5u);
  // An escaped backslash does not continue the line.
  UnitFile g = parse("[Service]\nExecStart=/bin/echo \\\\\nUser=x\n");
  EXPECT_EQ(g.last("Service", "ExecStart"), "/bin/echo \\\\");
  EXPECT_EQ(g.last("Service", "User"), "x");
}

TEST(UnitFile, ContinuationLinesAsQuadletJoinsThem) {
  // podman trims each line and drops the backslash without adding a space.
  UnitFile f = parse(
      "[Container]\n"
      "Exec=/bin/echo a \\\n"
      "  b\\\n"
      "c\n",
      UnitSyntax::kQuadlet);
  EXPECT_EQ(f.last("Container", "Exec"), "/bin/echo a bc");
}

TEST(UnitFile, CommentsInsideAContinuationAreSkipped) {
  for (auto syntax : {UnitSyntax::kSystemd, UnitSyntax::kQuadlet}) {
    UnitFile f = parse(
        "[Service]\n"
        "ExecStart=/bin/echo one \\\n"
        "# a comment in the middle\n"
        "  ; and another\n"
        "two\n",
        syntax);
    std::string v = *f.last("Service", "ExecStart");
    EXPECT_EQ(v.substr(0, 14), "/bin/echo one ");
    EXPECT_EQ(v.substr(v.size() - 3), "two");
    EXPECT_EQ(v.find('#'), std::string::npos) << v;
    EXPECT_EQ(f.assignments().size(), 1u);
  }
}

TEST(UnitFile, EmptyLineAndTrailingBlankAfterBackslashDifferBetweenReaders) {
  // systemd: an empty line ends the continuation; quadlet skips it and goes on.
  std::string text = "[Service]\nExecStart=/bin/a \\\n\nUser=x\n";
  UnitFile sd = parse(text);
  EXPECT_EQ(sd.last("Service", "ExecStart"), "/bin/a");
  EXPECT_EQ(sd.last("Service", "User"), "x");
  UnitFile q = parse(text, UnitSyntax::kQuadlet);
  EXPECT_EQ(q.last("Service", "ExecStart"), "/bin/a User=x");
  EXPECT_FALSE(q.has("Service", "User"));
  // A blank after the backslash: systemd sees no continuation, quadlet trims it away first
  // (podman's line-continuation-whitespace.container).
  std::string blank = "[Container]\nExec=\"/some/binary file\" --arg1 \\ \n  \"arg 2\"\n";
  UnitFile q2 = parse(blank, UnitSyntax::kQuadlet);
  EXPECT_EQ(q2.last("Container", "Exec"), "\"/some/binary file\" --arg1 \"arg 2\"");
  UnitFile sd2 = parse(blank);
  EXPECT_EQ(sd2.last("Container", "Exec"), "\"/some/binary file\" --arg1 \\");
  ASSERT_EQ(sd2.notes().size(), 1u);
  EXPECT_NE(sd2.notes()[0].find("line 3: missing '='"), std::string::npos) << sd2.notes()[0];
}

TEST(UnitFile, NoTrailingNewline) {
  UnitFile f = parse("[Service]\nUser=app");
  EXPECT_EQ(f.last("Service", "User"), "app");
  // systemd parses a continuation left open at the end of the file as it stands.
  UnitFile g = parse("[Service]\nExecStart=/bin/true \\");
  EXPECT_EQ(g.last("Service", "ExecStart"), "/bin/true");
  // quadlet does too when the backslash is on the very last line...
  UnitFile q = parse("[Container]\nImage=a \\", UnitSyntax::kQuadlet);
  EXPECT_EQ(q.last("Container", "Image"), "a ");
  // ...but drops one that only blank or comment lines follow (podman's emptyline.container).
  UnitFile e = parse("[Container]\nExec=true \\\n\n# comment\n", UnitSyntax::kQuadlet);
  EXPECT_FALSE(e.has("Container", "Exec"));
  ASSERT_EQ(e.notes().size(), 1u);
  EXPECT_NE(e.notes()[0].find("dropped"), std::string::npos);
  // CRLF line ends and a UTF-8 byte-order mark.
  UnitFile crlf = parse("\xEF\xBB\xBF[Unit]\r\nDescription=x\r\n");
  EXPECT_EQ(crlf.last("Unit", "Description"), "x");
}

TEST(UnitFile, RepeatedKeysAccumulateAndAnEmptyAssignmentResets) {
  UnitFile f = parse(
      "[Install]\n"
      "WantedBy=a.target b.target\n"
      "WantedBy=c.target\n"
      "[Service]\n"
      "Environment=A=1\n"
      "Environment=\n"
      "Environment=B=2\n"
      "Environment=C=3\n"
      "ExecStart=/bin/x\n"
      "ExecStart=\n");
  EXPECT_EQ(f.all("Install", "WantedBy"), (Strings{"a.target b.target", "c.target"}));
  EXPECT_EQ(f.words("Install", "WantedBy"), (Strings{"a.target", "b.target", "c.target"}));
  EXPECT_EQ(f.all("Service", "Environment"), (Strings{"B=2", "C=3"}));
  EXPECT_EQ(f.last("Service", "Environment"), "C=3");
  EXPECT_TRUE(f.all("Service", "ExecStart").empty());
  EXPECT_EQ(f.last("Service", "ExecStart"), "");  // assigned, and empty
}

TEST(UnitFile, DropInsOverrideAndAppend) {
  UnitFile f;
  ASSERT_TRUE(f.add("[Service]\nUser=root\nExecStart=/bin/a\nEnvironment=A=1\n"));
  ASSERT_TRUE(f.add("[Service]\nUser=app\nExecStart=\nExecStart=/bin/b\nEnvironment=B=2\n", "10-override.conf"));
  EXPECT_EQ(f.last("Service", "User"), "app");
  EXPECT_EQ(f.all("Service", "ExecStart"), (Strings{"/bin/b"}));
  EXPECT_EQ(f.all("Service", "Environment"), (Strings{"A=1", "B=2"}));
  EXPECT_EQ(f.assignments().back().source, 1u);
  // A drop-in starts outside any section, whatever the unit ended in.
  ASSERT_TRUE(f.add("User=ignored\n", "20-bad.conf"));
  EXPECT_EQ(f.last("Service", "User"), "app");
  ASSERT_EQ(f.notes().size(), 1u);
  EXPECT_EQ(f.notes()[0], "20-bad.conf: line 1: assignment outside of any section, ignored");
  // A drop-in the reader refuses refuses the unit, naming the drop-in.
  EXPECT_FALSE(f.add("[Service\n", "30-broken.conf"));
  EXPECT_EQ(f.error(), "30-broken.conf: line 1: invalid section header '[Service'");
  EXPECT_FALSE(f.add("[Service]\nUser=late\n", "40-after.conf"));
  EXPECT_EQ(f.last("Service", "User"), "app");
}

TEST(UnitFile, WhatEachReaderRefuses) {
  UnitFile sd;
  EXPECT_TRUE(sd.add("[Unit]\nno equals sign here\n=empty key\n"));
  EXPECT_EQ(sd.notes().size(), 2u);
  EXPECT_FALSE(sd.has("Unit", ""));
  UnitFile q(UnitSyntax::kQuadlet);
  EXPECT_FALSE(q.add("[Container]\nImage=x\nno equals sign here\n"));
  EXPECT_EQ(q.error(), "line 3: 'no equals sign here' is not a key-value pair, group, or comment");
  UnitFile q2(UnitSyntax::kQuadlet);
  EXPECT_FALSE(q2.add("Image=x\n[Container]\n"));
  EXPECT_EQ(q2.error(), "line 1: key file does not start with a group");
  UnitFile q3(UnitSyntax::kQuadlet);
  EXPECT_FALSE(q3.add("[Con\x01tainer]\n"));
  EXPECT_NE(q3.error().find("invalid section name"), std::string::npos);
  // "[a]b" is no group to podman, and no Key=Value either.
  UnitFile q4(UnitSyntax::kQuadlet);
  EXPECT_FALSE(q4.add("[a]b\n"));
}

TEST(UnitFile, AOneMegabyteLineIsReadAndALongerOneRefused) {
  std::string value(1000000, 'x');
  UnitFile f = parse("[Service]\nExecStart=/bin/echo " + value + "\nUser=app\n");
  EXPECT_EQ(f.last("Service", "ExecStart")->size(), value.size() + 10);
  EXPECT_EQ(f.last("Service", "User"), "app");

  for (auto syntax : {UnitSyntax::kSystemd, UnitSyntax::kQuadlet}) {
    UnitFile g(syntax);
    EXPECT_FALSE(g.add("[Service]\nExecStart=" + std::string(kMaxUnitLine, 'y') + "\n"));
    EXPECT_EQ(g.error(), "line 2: line longer than 1 MiB");
    EXPECT_TRUE(g.assignments().empty());
    // The same through continuations of short lines.
    std::string text = "[Service]\nExecStart=a \\\n";
    std::string piece(1000, 'z');
    for (int i = 0; i < 1100; ++i) text += piece + " \\\n";
    text += "end\n";
    UnitFile h(syntax);
    EXPECT_FALSE(h.add(text));
    EXPECT_EQ(h.error(), "line 2: continued line longer than 1 MiB");
  }
}

TEST(UnitFile, HostileSizesAreRefusedNotHeld) {
  UnitFile big;
  EXPECT_FALSE(big.add(std::string(10u << 20, '#')));
  EXPECT_EQ(big.error(), "10485760 bytes, over the 4 MiB limit for a unit file");
  std::string many = "[Service]\n";
  for (size_t i = 0; i <= kMaxUnitAssignments; ++i) many += "A=\n";
  UnitFile f;
  EXPECT_FALSE(f.add(many));
  EXPECT_NE(f.error().find("more than 65536 assignments"), std::string::npos) << f.error();
  EXPECT_EQ(f.assignments().size(), kMaxUnitAssignments);
  std::string sections;
  for (size_t i = 0; i <= kMaxUnitSections; ++i) sections += "[S" + std::to_string(i) + "]\n";
  UnitFile g(UnitSyntax::kQuadlet);
  EXPECT_FALSE(g.add(sections));
  EXPECT_EQ(g.error(), "line 257: more than 256 sections");
}

TEST(UnitFile, Words) {
  EXPECT_EQ(split_unit_words("  a.target \"b c.target\"\t'd e' f\\ g "),
            (Strings{"a.target", "b c.target", "d e", "f\\ g"}));
  EXPECT_TRUE(split_unit_words("   ").empty());
  EXPECT_EQ(parse_unit_boolean("Yes"), true);
  EXPECT_EQ(parse_unit_boolean("off"), false);
  EXPECT_EQ(parse_unit_boolean("maybe"), std::nullopt);
}

}  // namespace facts_unit_file_test
}  // namespace imagelint
