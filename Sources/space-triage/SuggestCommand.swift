import ArgumentParser
import Foundation
import SpaceTriage
import SystemPackage

extension Patterns {
  /// `patterns suggest [PATH…]`: catalog entries drafted from the failure lines no entry knows.
  struct Suggest: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "suggest",
      abstract: "Draft catalog entries (YAML) for the failure lines no entry recognises.",
      discussion: """
        Classifies the inputs as `classify` does (files, folders, - or nothing for standard \
        input), takes the most common unrecognised templates (the `unrecognized` block of the \
        reports) and prints one catalog file with an entry stub for each: a placeholder id, the \
        stage where the line was seen, a class guess, a PCRE2 pattern generalised from the \
        template, the lines as must-match and near misses from the same inputs as must-not-match. \
        The placeholder id `\(PatternSuggester.placeholderID)` is rejected by `patterns test` \
        until it is replaced; then `classify --patterns DIR` names those lines.
        """)

    @OptionGroup var catalogOptions: CatalogOptions

    @Option(help: "How many templates to draft entries for, the most common first.")
    var top = 5

    @Argument(help: ArgumentHelp("Log files or folders; - or nothing for standard input.", valueName: "path"))
    var paths: [String] = []

    mutating func validate() throws {
      guard top >= 1 else { throw ValidationError("--top must be at least 1.") }
    }

    /// One template across the inputs.
    struct Candidate {
      var template: String
      var fingerprint: String
      var stage: Stage?
      var texts: [String]
      var inputs = 1
      var lines: Int
      var order: Int
    }

    func run() throws {
      let catalog = try catalogOptions.compiledCatalog()
      let classifier = Classifier(catalog: catalog)
      let inputs = InputFiles.expand(paths)
      var standardInput: [UInt8]?
      var contents: [(name: String, bytes: [UInt8])] = []
      var candidates: [String: Candidate] = [:]
      for input in inputs {
        let bytes: [UInt8]
        switch input {
        case .unreadable(let path, let reason):
          Output.error("cannot read \(Redactor.standard.redact(path)): \(reason)")
          throw ExitStatus.cannotOpen.exitCode
        case .standardInput:
          if standardInput == nil { standardInput = Suggest.readAll(FileDescriptor.standardInput) }
          bytes = standardInput ?? []
        case .file(let path):
          guard let data = FileManager.default.contents(atPath: path) else {
            Output.error("cannot read \(Redactor.standard.redact(path))")
            throw ExitStatus.cannotOpen.exitCode
          }
          bytes = [UInt8](data)
        }
        let report = (try? classifier.classify(MemorySource(bytes), name: input.name))
        contents.append((input.name, bytes))
        for line in report?.unrecognized ?? [] {
          if var known = candidates[line.fingerprint] {
            known.inputs += 1
            known.lines += line.count
            if known.texts.count < 3 && !known.texts.contains(line.text) { known.texts.append(line.text) }
            candidates[line.fingerprint] = known
          } else {
            candidates[line.fingerprint] = Candidate(
              template: line.template, fingerprint: line.fingerprint, stage: line.stage, texts: [line.text],
              lines: line.count, order: candidates.count)
          }
        }
      }
      let chosen = candidates.values.sorted { a, b in
        if a.lines != b.lines { return a.lines > b.lines }
        if a.inputs != b.inputs { return a.inputs > b.inputs }
        return a.order < b.order
      }.prefix(top)
      guard !chosen.isEmpty else {
        Output.write("# space-triage patterns suggest: no unrecognised failure lines in these inputs.\n")
        if !catalog.signatures.contains(where: { $0.signatureClass == .info && ($0.effect == .looksLikeFailure || $0.effect == .failureShape) }) {
          Output.error("note: the catalog has no `effect: looks-like-failure` entries (the bundled unrecognized.yaml finds failure-looking lines)")
        }
        return
      }
      let stubs = Suggest.stubs(for: Array(chosen), lines: contents)
      Output.write(PatternSuggester.yaml(stubs))
    }

    /// Drafts the entries: patterns checked on their examples, examples and near misses taken
    /// from the inputs' lines.
    static func stubs(for chosen: [Candidate], lines contents: [(name: String, bytes: [UInt8])]) -> [PatternSuggester.Stub] {
      var stubs = chosen.map { candidate in
        let signatureClass = PatternSuggester.guessClass([candidate.template] + candidate.texts)
        return PatternSuggester.Stub(
          fingerprint: candidate.fingerprint, template: candidate.template,
          title: PatternSuggester.title(for: candidate.template), stage: candidate.stage ?? .startup,
          signatureClass: signatureClass, pattern: PatternSuggester.pattern(fromTemplate: candidate.template),
          mustMatch: [], mustNotMatch: [], inputs: candidate.inputs, lines: candidate.lines)
      }
      // The drafts compiled together (ids in order) to try lines against them.
      let signatures = stubs.enumerated().map { index, stub in
        Signature(
          id: "suggest.c\(String(1000 + index))", title: stub.title, stage: stub.stage,
          signatureClass: stub.signatureClass, pattern: stub.pattern)
      }
      guard let compiled = try? CompiledCatalog(Catalog(signatures: signatures)) else {
        return []
      }
      let validator = CatalogValidator(catalog: compiled)
      let keys = stubs.map { PatternSuggester.keyLiteral(of: $0.pattern) }
      let words = keys.map { $0.flatMap(PatternSuggester.keyWord) ?? $0 }
      func matchesEverywhere(_ index: Int, _ text: String) -> Bool {
        validator.evaluate(index, text) == .matched
          && CatalogValidator.noisePrefixes.allSatisfy { validator.evaluate(index, $0 + text) == .matched }
      }
      // The report's own evidence lines first.
      for (index, candidate) in chosen.enumerated() {
        for text in candidate.texts where PatternSuggester.isWritable(text) && matchesEverywhere(index, text) {
          stubs[index].mustMatch.append(text)
        }
      }
      // Then the inputs' lines: more examples, and lines sharing the key literal that do not match.
      let decoder = LineDecoder()
      for (_, bytes) in contents {
        decoder.reset()
        var reader = LineReader(MemorySource(bytes))
        while let raw = try? reader.nextLine() {
          decoder.decode(raw.bytes) { textBytes in
            let text = String(decoding: textBytes, as: UTF8.self)
            for index in stubs.indices {
              guard let word = words[index], text.contains(word) else { continue }
              let redacted = Redactor.standard.redact(text)
              guard PatternSuggester.isWritable(redacted), redacted.utf8.count <= 500 else { continue }
              if validator.evaluate(index, redacted) == .matched {
                if stubs[index].mustMatch.count < 3 && !stubs[index].mustMatch.contains(redacted)
                  && matchesEverywhere(index, redacted)
                {
                  stubs[index].mustMatch.append(redacted)
                }
              } else if stubs[index].mustNotMatch.count < 2 && !stubs[index].mustNotMatch.contains(redacted) {
                stubs[index].mustNotMatch.append(redacted)
              }
            }
          }
        }
      }
      for index in stubs.indices {
        if keys[index] == nil {
          stubs[index].notes.append("the pattern has no literal of 4+ bytes: it would run on every line; add context to it")
        } else if let key = keys[index], key.utf8.count < 8 {
          stubs[index].notes.append("the pattern's longest literal `\(key)` is short: a literal of 8+ bytes keeps the prefilter fast")
        }
        if stubs[index].mustNotMatch.isEmpty, let example = stubs[index].mustMatch.first, let key = keys[index],
          let miss = PatternSuggester.nearMiss(of: example, literal: key), validator.evaluate(index, miss) == .notMatched
        {
          stubs[index].mustNotMatch.append(miss)
          stubs[index].notes.append("no line of the inputs shares `\(key)` without matching: the must-not-match line is a made-up near miss")
        }
        if stubs[index].mustNotMatch.isEmpty {
          stubs[index].mustNotMatch.append("TODO: a line that must not match")
        }
      }
      return stubs.filter { !$0.mustMatch.isEmpty }
    }

    /// Every byte of `descriptor` to its end.
    static func readAll(_ descriptor: FileDescriptor) -> [UInt8] {
      var bytes: [UInt8] = []
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let count = (try? chunk.withUnsafeMutableBytes { try descriptor.read(into: $0) }) ?? 0
        if count <= 0 { break }
        bytes += chunk[0..<count]
      }
      return bytes
    }
  }
}
