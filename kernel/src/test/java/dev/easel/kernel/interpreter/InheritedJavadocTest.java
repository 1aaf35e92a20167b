package dev.easel.kernel.interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class InheritedJavadocTest {

    @Test
    void theDeclaringClassComesFromTheSignatureWithoutItsTypeParameters() {
        assertEquals(
                Optional.of("dev.easel.GenerationRequest"),
                InheritedJavadoc.declaringClass(
                        "SELF dev.easel.GenerationRequest<SELF extends dev.easel.GenerationRequest<SELF>>.cfg(double)",
                        "cfg"));
        assertEquals(Optional.of("p.Plain"), InheritedJavadoc.declaringClass("int p.Plain.k()", "k"));
        assertEquals(Optional.of("Object"), InheritedJavadoc.declaringClass("String Object.toString()", "toString"));
        assertEquals(Optional.empty(), InheritedJavadoc.declaringClass("int p.Plain.k()", "other"));
    }

    @Test
    void parameterNamesAreLeftOutButNotTheirTypes() {
        assertEquals(
                "S p.Base<S>.f(int, java.util.Map<String, Integer>, String...)",
                InheritedJavadoc.withoutParameterNames(
                        "S p.Base<S>.f(int x, java.util.Map<String, Integer> m, String... rest)"));
        assertEquals(
                "S p.Base<S>.f(int, java.util.Map<String, Integer>)",
                InheritedJavadoc.withoutParameterNames("S p.Base<S>.f(int, java.util.Map<String, Integer>)"));
        assertEquals("int p.Plain.k()", InheritedJavadoc.withoutParameterNames("int p.Plain.k()"));
    }
}
