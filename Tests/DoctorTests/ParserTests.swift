import Foundation
import Testing

@testable import SpaceDoctor

struct RequirementsParserTests {
  func parse(_ files: [String: String]) -> RequirementsParser.Result {
    RequirementsParser(load: { files[$0] }).parse("requirements.txt")
  }

  @Test func namesPinsExtrasMarkersAndComments() {
    let result = parse([
      "requirements.txt": """
      # a comment
      Torch==2.5.1  # trailing comment
      numpy>=1.26,<2
      transformers[torch] ~= 4.46.0
      huggingface_hub
      Pillow (>=10.0)
      scipy; python_version < "3.13"
      pywin32==306 ; sys_platform == "win32"
      gradio===5.9.1
      accelerate \\
          ==1.1.0
      -i https://pypi.org/simple
      --extra-index-url https://download.pytorch.org/whl/cu121
      diffusers @ git+https://github.com/huggingface/diffusers.git@main
      git+https://github.com/openai/CLIP.git#egg=clip
      https://example.com/wheels/flash_attn-2.6.3-cp310-cp310-linux_x86_64.whl
      -e git+https://github.com/acme/tool.git#egg=acme-tool
      safetensors==0.4.5 --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000
      """
    ])
    let names = result.requirements.map(\.normalizedName)
    #expect(
      names == [
        "torch", "numpy", "transformers", "huggingface-hub", "pillow", "scipy", "pywin32", "gradio", "accelerate", "diffusers", "clip", "flash-attn", "acme-tool", "safetensors",
      ])
    #expect(result.requirements.last?.exactVersion == "0.4.5")
    let byName = Dictionary(uniqueKeysWithValues: result.requirements.map { ($0.normalizedName, $0) })
    #expect(byName["torch"]?.exactVersion == "2.5.1")
    #expect(byName["torch"]?.line == 2)
    #expect(byName["numpy"]?.isPinned == true)  // an upper bound
    #expect(byName["transformers"]?.extras == ["torch"])
    #expect(byName["transformers"]?.isPinned == true)
    #expect(byName["huggingface-hub"]?.isPinned == false)
    #expect(byName["pillow"]?.specifiers == [VersionSpecifier(op: ">=", version: "10.0")])
    #expect(byName["pillow"]?.isPinned == false)
    #expect(byName["scipy"]?.marker == "python_version < \"3.13\"")
    #expect(byName["scipy"]?.appliesOnLinux == true)
    #expect(byName["pywin32"]?.appliesOnLinux == false)
    #expect(byName["gradio"]?.exactVersion == "5.9.1")
    #expect(byName["accelerate"]?.exactVersion == "1.1.0")
    #expect(byName["accelerate"]?.line == 10)
    #expect(byName["diffusers"]?.url == "git+https://github.com/huggingface/diffusers.git@main")
    #expect(byName["clip"]?.isPinned == true)
  }

  @Test func includesAreFollowedOnceAndMissingOnesReported() {
    let result = parse([
      "requirements.txt": "-r base.txt\n--requirement=extra/more.txt\n-r requirements.txt\n-r gone.txt\n",
      "base.txt": "torch\n",
      "extra/more.txt": "-r ../base.txt\nnumpy==2.1.0\n",
    ])
    #expect(result.requirements.map(\.name) == ["torch", "numpy"])
    #expect(result.requirements[0].file == "base.txt")
    #expect(result.missingIncludes.count == 2)  // gone.txt, and extra/../base.txt is not normalised
    #expect(result.missingIncludes.contains { $0.path == "gone.txt" && $0.line == 4 })
  }

  @Test func specifiersAdmitLikePip() {
    let version = PackageVersion("5.12.0")!
    #expect(VersionSpecifier(op: "==", version: "5.12").admits(version))
    #expect(VersionSpecifier(op: "==", version: "5.*").admits(version))
    #expect(!VersionSpecifier(op: "==", version: "4.*").admits(version))
    #expect(VersionSpecifier(op: "~=", version: "5.1").admits(version))
    #expect(!VersionSpecifier(op: "~=", version: "5.1.0").admits(version))
    #expect(VersionSpecifier(op: "<", version: "6").admits(version))
    #expect(!VersionSpecifier(op: "<", version: "5.12").admits(version))
    #expect(PackageVersion("5.0.0b3")! < PackageVersion("5.0.0")!)
    #expect(PackageVersion("4.44.1")! < PackageVersion("5.9.1")!)
    #expect(PackageVersion("1.0.post1")! > PackageVersion("1.0")!)
    #expect(PackageVersion("1.0.dev1")! < PackageVersion("1.0a1")!)
  }
}

struct PythonSourceTests {
  @Test func stringsCommentsAndContinuationsAreNotCode() {
    let source = PythonSource(
      """
      # import spaces
      x = "import spaces"
      doc = '''
      model.to("cuda")
      '''
      y = (1 +
           2)  # model.cuda()
      z = 1 + \\
          torch.cuda.is_available()
      s = r"a\\d" + f"{a!r}"; t = b'x'
      """)
    #expect(source.lines.map(\.line) == [2, 3, 6, 8, 10])
    #expect(source.lines[1].tokens.map(\.kind) == [.name, .op, .string])
    #expect(source.lines[1].tokens[2].text.contains("model.to"))
    #expect(source.lines[2].tokens.count == 7)  // y = ( 1 + 2 )
    #expect(source.lines[3].tokens.contains { $0.text == "is_available" })
    let facts = AppFacts(source)
    #expect(!facts.importsSpaces)
    #expect(facts.cudaUses.count == 1)  // only the real torch.cuda call on line 8
    #expect(facts.cudaUses[0].line == 8)
  }

  @Test func importTimeIsEverythingOutsideDefBodies() {
    let source = PythonSource(
      """
      import torch
      if True:
          a = torch.zeros(1).cuda()
      def f():
          b = torch.zeros(1).cuda()
          class Inner:
              c = 1
      class C:
          d = torch.ones(1).to("cuda")
          def m(self):
              return self.x.cuda()
      with open("x") as h:
          e = 2
      import spaces
      """)
    let facts = AppFacts(source)
    #expect(facts.cudaUses.map(\.line) == [3, 5, 9, 11])
    #expect(facts.cudaUses.map(\.runsAtImport) == [true, false, true, false])
    #expect(facts.spacesImportLine == 14)
    #expect(facts.cudaBeforeSpaces.map(\.line) == [3, 9])
  }

  @Test func decoratorsWithArgumentsAliasesAndEnvironmentReads() {
    let source = PythonSource(
      """
      import os, streamlit as st
      import spaces as sp
      from spaces import GPU as gpu
      from os import getenv, environ as env

      @sp.GPU(duration=5 * 60, size="xlarge")
      def a(): ...

      @gpu
      def b(): ...

      @sp.GPU(
          duration=get_duration,  # dynamic
      )
      def c(): ...

      one = os.environ["ONE"]
      two = os.getenv("TWO", "default")
      three = os.environ.get('THREE')
      four = getenv("FOUR")
      five = env["FIVE"]
      six = st.secrets["SIX"]
      seven = st.secrets.SEVEN
      not_a_read = os.environ
      text = "os.environ['NOPE']"
      """)
    let facts = AppFacts(source)
    #expect(facts.spacesImportLine == 2)
    #expect(facts.gpuUses.map(\.line) == [6, 9, 12])
    #expect(facts.gpuUses[0].duration == 300)
    #expect(facts.gpuUses[0].size == "xlarge")
    #expect(facts.gpuUses[1].duration == nil)
    #expect(facts.gpuUses[2].duration == nil)
    let reads = facts.environmentReads
    #expect(reads.map(\.name) == ["ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN"])
    #expect(reads.map(\.hasDefault) == [false, true, false, false, false, false, false])
    #expect(reads[5].kind == .streamlitSecrets)
  }

  @Test func deviceNamesAndKeywordArguments() {
    let facts = AppFacts(
      PythonSource(
        """
        import torch
        DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
        FORCED = torch.device("cuda:0")
        a = model.to(DEVICE)
        b = pipeline("x", device_map="cuda")
        c = model.to(FORCED)
        device_map = "cuda"
        """))
    // line 2 asks is_available (guarded); 4 uses the guarded name; 5 and 6 are not guarded;
    // line 7 is an assignment, not a keyword argument.
    #expect(facts.cudaUses.map(\.line) == [2, 4, 5, 6])
    #expect(facts.cudaUses.map(\.guarded) == [true, true, false, false])
    #expect(facts.needsGPU)
  }
}

struct FrontMatterTests {
  @Test func valuesKeepTheirTextAndLines() throws {
    let matter = try FrontMatter.parse(
      """
      ---
      title: "A: B"
      sdk: gradio
      sdk_version: 4.40
      preload_from_hub:
        - acme/model
      ---
      body
      """
    ).get()
    #expect(matter["sdk_version"] == "4.40")
    #expect(matter.line(of: "sdk") == 3)
    #expect(matter.has("preload_from_hub"))
  }

  @Test func missingAndInvalid() {
    guard case .failure(let missing) = FrontMatter.parse("# no front matter\n") else {
      Issue.record("expected missing")
      return
    }
    #expect(missing.problem == .missing)
    guard case .failure(let invalid) = FrontMatter.parse("---\nsdk: gradio\ntitle: [unclosed\n---\n") else {
      Issue.record("expected invalid")
      return
    }
    guard case .invalid(_, let line) = invalid.problem else {
      Issue.record("expected invalid")
      return
    }
    #expect(line >= 3)
  }
}

struct LinkHeaderTests {
  @Test(arguments: [
    (#"<https://huggingface.co/api/spaces?author=x&cursor=abc>; rel="next""#, "https://huggingface.co/api/spaces?author=x&cursor=abc"),
    (#"<https://h/a?p=1>; rel="prev", <https://h/a?p=3>; rel="next""#, "https://h/a?p=3"),
    (#"<https://h/a?p=3>;rel=next"#, "https://h/a?p=3"),
  ])
  func theNextPageIsFound(_ header: String, _ next: String) {
    #expect(HubClient.nextPage(inLinkHeader: header) == next)
  }

  @Test(arguments: [#"<https://h/a?p=1>; rel="prev""#, "", "https://h/a; rel=\"next\"", #"<https://h/a>; rel="nextpage""#])
  func noNextPage(_ header: String) {
    #expect(HubClient.nextPage(inLinkHeader: header) == nil)
  }
}
