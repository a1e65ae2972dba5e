"""Local stand-ins for repositories Bazel 4.2.3 would otherwise download.

Debian's bazel-rules-cc is too new for Bazel 4, so `rules_cc` re-exports the
native C++ rules; `remote_coverage_tools` only needs two empty filegroups for
`bazel test` to run.
"""

_RULES_CC_DEFS = '''"""Stand-in for rules_cc: the native rules under their usual names."""

def cc_binary(**kwargs):
    native.cc_binary(**kwargs)

def cc_import(**kwargs):
    native.cc_import(**kwargs)

def cc_library(**kwargs):
    native.cc_library(**kwargs)

def cc_proto_library(**kwargs):
    native.cc_proto_library(**kwargs)

def cc_test(**kwargs):
    native.cc_test(**kwargs)

def cc_toolchain(**kwargs):
    native.cc_toolchain(**kwargs)

def cc_toolchain_suite(**kwargs):
    native.cc_toolchain_suite(**kwargs)

def objc_library(**kwargs):
    native.objc_library(**kwargs)

def objc_import(**kwargs):
    native.objc_import(**kwargs)

def fdo_profile(**kwargs):
    native.fdo_profile(**kwargs)

def fdo_prefetch_hints(**kwargs):
    native.fdo_prefetch_hints(**kwargs)
'''

def _rules_cc_stub_impl(ctx):
    ctx.file("WORKSPACE", 'workspace(name = "rules_cc")\n')
    ctx.file("BUILD.bazel", "")
    ctx.file("cc/BUILD.bazel", 'exports_files(["defs.bzl"])\n')
    ctx.file("cc/defs.bzl", _RULES_CC_DEFS)

rules_cc_stub = repository_rule(implementation = _rules_cc_stub_impl)

def _remote_coverage_tools_stub_impl(ctx):
    ctx.file("WORKSPACE", 'workspace(name = "remote_coverage_tools")\n')
    ctx.file("BUILD.bazel", """package(default_visibility = ["//visibility:public"])

filegroup(name = "coverage_report_generator")

filegroup(name = "lcov_merger")
""")

remote_coverage_tools_stub = repository_rule(implementation = _remote_coverage_tools_stub_impl)
