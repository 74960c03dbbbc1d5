import Foundation
import Testing

@testable import SpaceTriage

struct InputFilesTests {
  /// A folder with log files, other files, hidden entries and symbolic links, removed after.
  private func withFolder(_ body: (String) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("input-files-\(UUID().uuidString)").path
    let manager = FileManager.default
    defer { try? manager.removeItem(atPath: folder) }
    for sub in ["b", "b/deep", ".hidden", "a"] {
      try manager.createDirectory(atPath: "\(folder)/\(sub)", withIntermediateDirectories: true)
    }
    for file in ["run.log", "b/build.TXT", "b/deep/z.ndjson", "a/x.sse", "a/notes.md", "a/log", ".hidden/h.log", "b/.dot.log"] {
      try "line\n".write(toFile: "\(folder)/\(file)", atomically: true, encoding: .utf8)
    }
    try manager.createSymbolicLink(atPath: "\(folder)/link.log", withDestinationPath: "\(folder)/run.log")
    try manager.createSymbolicLink(atPath: "\(folder)/loop", withDestinationPath: folder)
    try body(folder)
  }

  @Test func aFolderGivesItsLogFilesSortedWithoutHiddenOnesOrLinks() throws {
    try withFolder { folder in
      let expected = ["a/x.sse", "b/build.TXT", "b/deep/z.ndjson", "run.log"].map { InputFiles.Input.file("\(folder)/\($0)") }
      #expect(InputFiles.expand([folder]) == expected)
      // A trailing slash names the same files.
      #expect(InputFiles.expand([folder + "/"]) == expected)
    }
  }

  @Test func namedFilesStandardInputAndMissingPaths() {
    #expect(InputFiles.expand([]) == [.standardInput])
    #expect(InputFiles.expand(["-"]) == [.standardInput])
    #expect(InputFiles.expand(["/no/such/file.log"]) == [.unreadable("/no/such/file.log", reason: "No such file or directory")])
  }

  @Test func extensionsAreMatchedInAnyCaseAfterADot() {
    #expect(InputFiles.hasLogExtension("app.LOG"))
    #expect(InputFiles.hasLogExtension("archive.2026.jsonl"))
    #expect(!InputFiles.hasLogExtension("log"))
    #expect(!InputFiles.hasLogExtension("notes.md"))
    #expect(!InputFiles.hasLogExtension("app.log.gz"))
  }
}
