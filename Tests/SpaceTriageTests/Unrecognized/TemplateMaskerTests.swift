import SpaceTriage
import Testing

/// Each mask kind, their order, and the stability of templates and fingerprints.
struct TemplateMaskerTests {
  @Test(arguments: [
    // numbers
    ("retry 3 of 10 took 2.75s", "retry <N> of <N> took <N>s"),
    ("python3 on cuda:0 at x86_64", "python3 on cuda:<N> at x86_<N>"),
    // hex and ids
    ("commit 9f3ab21c77d0 is gone", "commit <ID> is gone"),
    ("request 123e4567-e89b-12d3-a456-426614174000 dropped", "request <ID> dropped"),
    ("object at 0x7f3a00c8", "object at <ID>"),
    ("deadbeef stays a word", "deadbeef stays a word"),
    ("session 01HZX3K9QW7MTV2B5YRN4C8 ended", "session <ID> ended"),
    // paths
    ("open /home/user/app/model.bin failed", "open <PATH> failed"),
    ("sh: 1: ./start.sh: not found", "sh: <N>: <PATH>: not found"),
    ("missing weights/v2/model.safetensors", "missing <PATH>"),
    ("read and/or write", "read and/or write"),
    // quoted strings
    ("No module named 'widgets'", "No module named <S>"),
    ("can't open \"my file.txt\" here", "can't open <S> here"),
    ("flag `--fast` unknown", "flag <S> unknown"),
    // URLs
    ("GET https://example.org/a/b?c=1 failed", "GET <URL> failed"),
    // timestamps and log prefixes
    ("2026-01-01 12:00:00,123 - app - ERROR - boom", "<TS> - app - ERROR - boom"),
    ("[2026-01-01T12:00:00.123Z] ERROR boom", "[<TS>] ERROR boom"),
    ("[12:00:01] ERROR boom", "[<TS>] ERROR boom"),
    // ANSI and blanks at the ends
    ("  \u{1B}[31mERROR\u{1B}[0m: boom  \r", "ERROR: boom"),
  ])
  func masks(_ line: String, _ template: String) {
    #expect(TemplateMasker.template(of: line) == template)
  }

  @Test func orderURLThenQuoteThenPathThenNumber() {
    // A URL is not a path plus numbers; a quoted path is a string; a path is not numbers.
    #expect(TemplateMasker.template(of: "see https://example.org/v2/17/x") == "see <URL>")
    #expect(TemplateMasker.template(of: "File \"/app/app.py\", line 12, in <module>") == "File <S>, line <N>, in <module>")
    #expect(TemplateMasker.template(of: "at /srv/v2/17.bin:3") == "at <PATH>:<N>")
  }

  @Test func sameLineOnOtherDaysHasOneTemplate() {
    let a = TemplateMasker.template(of: "2026-01-01 12:00:00,123 ERROR shard 7 failed (id 9f3ab21c77d0e4aa)")
    let b = TemplateMasker.template(of: "2026-11-30 23:59:59,999 ERROR shard 12 failed (id 0c11d2e9f0a7b3c4)")
    #expect(a == b)
    #expect(Fingerprint.of(a) == Fingerprint.of(b))
  }

  @Test func templatesAreStable() {
    // Masking a template changes nothing: the masks are words in angle brackets.
    for line in ["ValueError: bad value 3 for 'x' in /a/b.py", "2026-01-01T00:00:00Z GET https://x.org/1 failed"] {
      let template = TemplateMasker.template(of: line)
      #expect(TemplateMasker.template(of: template) == template)
    }
  }

  @Test func longLinesAreCut() {
    let line = "ERROR " + String(repeating: "word ", count: 2000)
    let template = TemplateMasker.template(of: line)
    #expect(template.utf8.count <= TemplateMasker.maxOutput)
    #expect(template.hasPrefix("ERROR word"))
    // Never cut inside a character.
    let wide = String(repeating: "é", count: 600)
    #expect(TemplateMasker.template(of: wide).utf8.count <= TemplateMasker.maxOutput)
    #expect(TemplateMasker.template(of: wide).allSatisfy { $0 == "é" })
  }

  @Test func fingerprintIsTheStartOfSHA256() {
    // Known SHA-256 vectors (FIPS 180-2): "abc" and the empty string.
    #expect(Fingerprint.of("abc") == "ba7816bf8f01")
    #expect(Fingerprint.of("") == "e3b0c44298fc")
    #expect(Fingerprint.of("No module named <S>").count == 12)
  }

  /// The word scan that reads 8 bytes at a time ends where a byte-by-byte scan does, for bytes
  /// on both sides of every range edge (`/0`, `9:`, `@A`, `Z[`, `` `a ``, `z{`) and above 0x7F.
  @Test func wordEndsWhereTheByteScanEnds() {
    let alphabet: [UInt8] = [0x2F, 0x30, 0x35, 0x39, 0x3A, 0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B, 0x7F, 0x80, 0xC3, 0xE1, 0xFF, 0x20]
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<5000 {
      let bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
        Bool.random(using: &generator) ? UInt8(ascii: "k") : alphabet.randomElement(using: &generator)!
      }
      bytes.withUnsafeBytes { text in
        for start in 0...text.count {
          var expected = start
          while expected < text.count && (text[expected] &- 0x30 < 10 || (text[expected] | 0x20) &- 0x61 < 26) { expected += 1 }
          #expect(TemplateMasker.wordEnd(text, from: start, text.count) == expected, "\(bytes) from \(start)")
        }
      }
    }
  }
}
