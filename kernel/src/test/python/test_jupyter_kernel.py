"""jupyter_kernel_test against the installed Easel kernel: every attribute set, no test skipped.

Run by KernelProtocolIT (JUnit) with JUPYTER_PATH pointing at a kernelspec that runs the freshly built classes.
"""
import os
import unittest

import jupyter_kernel_test


class EaselKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("EASEL_KERNEL_NAME", "easel")
    language_name = "java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("oops");'

    completion_samples = [
        {"text": "Integer.parseI", "matches": {"parseInt("}},
        {"text": "int a = 1;\nMath.ab", "matches": {"abs(", "absExact("}},
    ]
    complete_code_samples = ["1 + 1", "int x = 3;", "void f() { }", "", "// a comment", "x++;\nx++;"]
    incomplete_code_samples = ["void f() {", "int y = (1 +", "for (int i = 0; i < 3; i++) {", "String s = \"a\" +"]
    invalid_code_samples = ["int x = ;", ")", "}"]

    code_page_something = "Math.abs?"
    code_generate_error = 'throw new IllegalStateException("boom");'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"hello, " + "world"', "result": "hello, world"},
        {"code": "List.of(1, 2, 3)", "result": "[1, 2, 3]"},
    ]
    code_display_data = [
        {"code": 'display(HTML("<b>bold</b>"));', "mime": "text/html"},
        {"code": 'display(Markdown("*emphasis*"));', "mime": "text/markdown"},
        {"code": "display(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB));", "mime": "image/png"},
    ]
    code_history_pattern = "6 * 7"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.abs"
    code_clear_output = "clearOutput();"


if __name__ == "__main__":
    unittest.main()
