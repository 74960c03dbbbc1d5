/// One problem found in a catalog, with where it is and, when known, which entry.
public struct CatalogDiagnostic: Error, Equatable, Sendable, CustomStringConvertible {
  /// Where the problem is.
  public var location: SourceLocation
  /// The entry it belongs to, if any.
  public var entry: String?
  /// What is wrong.
  public var message: String
  /// The offending source line with a caret under the column, when available.
  public var snippet: String?

  public init(location: SourceLocation, entry: String? = nil, message: String, snippet: String? = nil) {
    self.location = location
    self.entry = entry
    self.message = message
    self.snippet = snippet
  }

  /// `file:line:column: error: [entry] message`, then the snippet and caret if any.
  public var description: String {
    let entryPart = entry.map { "\($0): " } ?? ""
    var text = "\(location): error: \(entryPart)\(message)"
    if let snippet { text += "\n" + snippet }
    return text
  }
}

/// A list of catalog problems thrown as one error.
public struct CatalogDiagnostics: Error, Sendable, CustomStringConvertible {
  public var diagnostics: [CatalogDiagnostic]

  public init(_ diagnostics: [CatalogDiagnostic]) { self.diagnostics = diagnostics }

  public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
