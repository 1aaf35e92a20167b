package dev.easel.engine.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A1111's {@code get_learned_conditioning_prompt_schedules} cases (10 steps). */
class PromptScheduleTest {

    private static String g(String prompt) {
        return g(prompt, 10, 0);
    }

    private static String g(String prompt, int steps, int hires) {
        StringBuilder b = new StringBuilder();
        for (PromptSchedule.Entry e : PromptSchedule.of(prompt, steps, hires).entries()) {
            b.append("[").append(e.endAtStep()).append(", '").append(e.text()).append("']");
        }
        return b.toString();
    }

    @Test
    void a1111Cases() {
        assertEquals("[10, 'test']", g("test"));
        assertEquals("[3, 'a '][10, 'a b']", g("a [b:3]"));
        assertEquals("[3, 'a '][10, 'a b']", g("a [b: 3]"));
        assertEquals("[2, 'a '][10, 'a [[b]]']", g("a [[[b]]:2]"));
        assertEquals("[3, ''][10, '(a:2)']", g("[(a:2):3]"));
        assertEquals("[1, 'a b  d'][10, 'a  c  d']", g("a [b : c : 1] d"));
        assertEquals("[1, 'abe'][2, 'ace'][10, 'ade']", g("a[b:[c:d:2]:1]e"));
        assertEquals("[10, 'a [unbalanced']", g("a [unbalanced"));
        assertEquals("[5, 'a  c'][10, 'a b c']", g("a [b:.5] c"));
        assertEquals("[3, '((a][:b:c '][10, '((a][:b:c d']", g("((a][:b:c [d:3]"));
        assertEquals(
                "[1, 'a'][2, '(b:1.1)'][3, 'a'][4, '(b:1.1)'][5, 'a'][6, '(b:1.1)'][7, 'a'][8, '(b:1.1)']"
                        + "[9, 'a'][10, '(b:1.1)']",
                g("[a|(b:1.1)]"));
        assertEquals(
                "[1, 'female'][2, 'male'][3, 'female'][4, 'male'][5, 'female'][6, 'male'][7, 'female']"
                        + "[8, 'male'][9, 'female'][10, 'male']",
                g("[fe|]male"));
        assertEquals(
                "[1, 'female'][2, 'male'][3, 'male'][4, 'male'][5, 'female'][6, 'male'][7, 'male']"
                        + "[8, 'male'][9, 'female'][10, 'male']",
                g("[fe|||]male"));
    }

    @Test
    void editingAtAFractionOrAStep() {
        assertEquals("[10, 'a cat'][20, 'a dog']", g("a [cat:dog:0.5]", 20, 0));
        assertEquals("[10, 'a cat'][20, 'a dog']", g("a [cat:dog:10]", 20, 0));
        assertEquals("[20, 'a cat']", g("a [cat:dog:30]", 20, 0));
        assertEquals("[20, 'a dog']", g("a [cat:dog:-1]", 20, 0));
        assertEquals("[20, 'a (x) \\(y\\)']", g("a (x) \\(y\\)", 20, 0));
        assertEquals("[20, 'a|b']", g("a|b", 20, 0));
    }

    @Test
    void hiresPassCountsOnFromTheFirstPass() {
        // fractions 1…2 and step numbers after the base steps belong to the hires pass
        assertEquals("[5, 'a cat'][10, 'a dog']", g("a [cat:dog:1.5]", 20, 10));
        assertEquals("[10, 'a dog']", g("a [cat:dog:0.5]", 20, 10));
        assertEquals("[3, 'a cat'][10, 'a dog']", g("a [cat:dog:23]", 20, 10));
    }

    @Test
    void theSamplerCounterPicksEntriesAsA1111() {
        PromptSchedule s = PromptSchedule.of("[cat:dog:10]", 20);
        assertEquals(0, s.at(0));
        assertEquals(0, s.at(10)); // A1111: step counter ≤ end_at_step
        assertEquals(1, s.at(11));
        assertEquals(1, s.at(99));
        PromptSchedule alt = PromptSchedule.of("[a|b]", 4);
        assertEquals(
                "a a b a b",
                String.join(
                        " ",
                        alt.entries().get(alt.at(0)).text(),
                        alt.entries().get(alt.at(1)).text(),
                        alt.entries().get(alt.at(2)).text(),
                        alt.entries().get(alt.at(3)).text(),
                        alt.entries().get(alt.at(4)).text()));
    }
}
