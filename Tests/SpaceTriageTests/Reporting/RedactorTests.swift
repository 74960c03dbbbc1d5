import SpaceTriage
import Testing

struct RedactorTests {
  static let secrets: [(String, String)] = [
    ("using token hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345 now", "using token [REDACTED] now"),
    ("Authorization: Bearer hf_abcdefghijklmnop", "Authorization: Bearer [REDACTED]"),
    ("curl -H 'authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def'", "curl -H 'authorization: Bearer [REDACTED]'"),
    ("GET https://x.hf.space/file?token=s3cr3tvalue&x=1", "GET https://x.hf.space/file?token=[REDACTED]&x=1"),
    ("api_key=sk-123456789 other", "api_key=[REDACTED] other"),
    ("HF_TOKEN=abc123def456", "HF_TOKEN=[REDACTED]"),
    ("export HUGGING_FACE_HUB_TOKEN=\"abcdef12345\"", "export HUGGING_FACE_HUB_TOKEN=\"[REDACTED]\""),
  ]

  @Test(arguments: secrets.indices)
  func secretsAreReplaced(_ index: Int) {
    let (input, expected) = Self.secrets[index]
    #expect(Redactor.standard.redact(input) == expected)
  }

  @Test func ordinaryLinesAreUntouched() {
    for line in ["KeyError: 'HF_TOKEN'", "tokenizer loaded", "hf_hub_download failed", "* Running on local URL:  http://0.0.0.0:7860"] {
      #expect(Redactor.standard.redact(line) == line)
    }
  }
}

struct RedactorPrefilterTests {
  @Test func tokensAfterUnderscoresAndInUpperCaseAreStillFound() {
    #expect(Redactor.standard.redact("model.safetensors hf_abcdefghijklmnopqrstuvwxyz0123") == "model.safetensors [REDACTED]")
    #expect(Redactor.standard.redact("AUTHORIZATION: Bearer abcdefgh12345678") == "AUTHORIZATION: Bearer [REDACTED]")
  }
}
