import Testing

@testable import SpaceTriage

/// What `patterns export` makes of the constructs rg's and grep's engines lack.
struct PatternExportTests {
  private func entry(_ pattern: String) -> Signature {
    Signature(id: "a.b", title: "A", stage: .build, signatureClass: .persistent, pattern: pattern)
  }

  @Test func branchResetAndNamedGroupsBecomePlainGroups() {
    let pattern = #"(?|Failed for (?<package>\w+)|Building (?<package>\w+) failed)\(?|x"#
    #expect(PatternExport.export(entry(pattern), as: .pcre) == #"(?:Failed for (?:\w+)|Building (?:\w+) failed)\(?|x"#)
    #expect(PatternExport.export(entry(pattern), as: .ere) == #"(Failed for ([[:alnum:]_]+)|Building ([[:alnum:]_]+) failed)\(?|x"#)
  }
}
