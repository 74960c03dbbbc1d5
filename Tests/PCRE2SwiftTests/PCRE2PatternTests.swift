import PCRE2Swift
import Testing

struct PCRE2PatternTests {
  private func matches(_ pattern: PCRE2Pattern, _ bytes: [UInt8], data: PCRE2MatchData = PCRE2MatchData()) throws -> Bool {
    try bytes.withUnsafeBytes { try data.matches(pattern, in: $0) }
  }

  @Test func compileErrorCarriesMessageAndOffset() {
    #expect {
      _ = try PCRE2Pattern("abc(def")
    } throws: { error in
      guard let error = error as? PCRE2Error, case .compile(let offset) = error.kind else { return false }
      return offset == 7 && error.message.contains("missing closing parenthesis")
    }
  }

  @Test func namedCapturesAreReported() throws {
    let pattern = try PCRE2Pattern(#"No module named '(?<module>[^']+)'"#)
    #expect(pattern.captureNames.map(\.name) == ["module"])
    let data = PCRE2MatchData()
    let line = Array("ModuleNotFoundError: No module named 'einops'".utf8)
    #expect(try matches(pattern, line, data: data))
    let range = try #require(data.range(ofGroup: pattern.group(named: "module")!))
    #expect(String(decoding: line[range], as: UTF8.self) == "einops")
  }

  @Test func emptySubjectMatchesOnlyEmptyPatterns() throws {
    #expect(try matches(PCRE2Pattern("^$"), []))
    #expect(try !matches(PCRE2Pattern("a"), []))
  }

  @Test func invalidUTF8SubjectNeverErrors() throws {
    let pattern = try PCRE2Pattern("CUDA")
    #expect(try matches(pattern, [0xFF, 0xC0, 0x80] + Array(" CUDA ".utf8) + [0xED, 0xA0, 0x80]))
    #expect(try !matches(pattern, [0xFF, 0xFE, 0x00, 0xC3]))
  }

  @Test func caselessOption() throws {
    let pattern = try PCRE2Pattern("runtime error", options: .caseless)
    #expect(try matches(pattern, Array("Runtime Error".utf8)))
    #expect(try !matches(PCRE2Pattern("runtime error"), Array("Runtime Error".utf8)))
  }

  @Test func startOffsetSkipsEarlierMatches() throws {
    let pattern = try PCRE2Pattern("ab")
    let data = PCRE2MatchData()
    let subject = Array("ab ab".utf8)
    let found = try subject.withUnsafeBytes { try data.matches(pattern, in: $0, from: 1) }
    #expect(found)
    #expect(data.range(ofGroup: 0) == 3..<5)
  }

  @Test func catastrophicBacktrackingHitsTheMatchLimit() throws {
    let pattern = try PCRE2Pattern("(a+)+$")
    let data = PCRE2MatchData(matchLimit: 10_000)
    let subject = Array(repeating: UInt8(ascii: "a"), count: 40) + [UInt8(ascii: "b")]
    #expect {
      try subject.withUnsafeBytes { try data.matches(pattern, in: $0) }
    } throws: { error in
      (error as? PCRE2Error)?.kind == .match && (error as? PCRE2Error)?.isResourceLimit == true
    }
  }

  @Test func jitIsUsed() throws {
    #expect(try PCRE2Pattern("x+y").isJITCompiled)
  }
}
