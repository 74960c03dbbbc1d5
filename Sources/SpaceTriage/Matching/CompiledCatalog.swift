package import PCRE2Swift

/// A catalog whose patterns are compiled and JIT-compiled, ready to be shared by threads.
public final class CompiledCatalog: Sendable {
  /// The entries, in catalog order (sorted by id).
  public let signatures: [Signature]
  /// `patterns[i]` is the compiled pattern of `signatures[i]`.
  package let patterns: [PCRE2Pattern]
  /// The literal prefilter that decides which patterns a line can possibly match.
  package let prefilter: LiteralPrefilter

  /// Compiles every pattern.
  ///
  /// - Throws: ``CatalogDiagnostics`` with one diagnostic per pattern that does not compile,
  ///   naming the file, the entry, PCRE2's message, and a caret under the offending column.
  public init(_ catalog: Catalog) throws(CatalogDiagnostics) {
    var patterns: [PCRE2Pattern] = []
    var problems: [CatalogDiagnostic] = []
    for signature in catalog.signatures {
      do {
        patterns.append(try PCRE2Pattern(signature.pattern, options: signature.caseless ? .caseless : []))
      } catch {
        problems.append(CompiledCatalog.diagnostic(for: error, in: signature))
      }
    }
    if !problems.isEmpty { throw CatalogDiagnostics(problems) }
    self.signatures = catalog.signatures
    self.patterns = patterns
    self.prefilter = LiteralPrefilter(signatures: catalog.signatures)
  }

  /// The index of the entry with this id.
  public func index(of id: String) -> Int? { signatures.firstIndex { $0.id == id } }

  static func diagnostic(for error: PCRE2Error, in signature: Signature) -> CatalogDiagnostic {
    guard case .compile(let offset) = error.kind else {
      return CatalogDiagnostic(location: signature.patternLocation, entry: signature.id, message: "\(error)")
    }
    // The offset counts bytes of the pattern; the column counts characters of the source line.
    let characters = String(decoding: signature.pattern.utf8.prefix(offset), as: UTF8.self).count
    var location = signature.patternLocation
    location.column += characters
    let prefix = String(repeating: " ", count: max(0, signature.patternLocation.column - 1))
    let caret = String(repeating: " ", count: max(0, location.column - 1)) + "^"
    return CatalogDiagnostic(
      location: location, entry: signature.id,
      message: "pattern does not compile: \(error.message) (PCRE2 error \(error.code) at offset \(offset))",
      snippet: "  \(prefix)\(signature.pattern)\n  \(caret)")
  }
}
