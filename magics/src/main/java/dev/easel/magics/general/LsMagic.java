package dev.easel.magics.general;

import dev.easel.magics.CellPart;
import dev.easel.magics.Magic;
import dev.easel.magics.MagicContext;
import dev.easel.magics.Magics;
import dev.easel.magics.RegistryAware;
import dev.easel.magics.spec.MagicSpec;
import dev.easel.magics.spec.ParsedArgs;
import dev.easel.magics.spec.SpecMagic;

/** {@code %lsmagic}: every magic the registry knows, with its one-line summary. */
public final class LsMagic extends SpecMagic implements RegistryAware {

    private Magics registry;

    @Override
    protected MagicSpec declare() {
        return MagicSpec.magic("lsmagic", "List all magics with a one-line summary each")
                .note("%name --help (or %name?) shows the full help of one magic.");
    }

    @Override
    public void setRegistry(Magics magics) {
        this.registry = magics;
    }

    @Override
    protected void run(ParsedArgs args, CellPart.MagicCall call, MagicContext context) {
        System.out.print(listing(registry));
    }

    /** The listing text: {@code %name / %%name} padded, then the summary. */
    public static String listing(Magics magics) {
        StringBuilder out = new StringBuilder("Available magics (%name --help for details):\n");
        for (Magic magic : magics.all()) {
            String spelled = (magic.isLineMagic() ? "%" + magic.name() : "")
                    + (magic.isLineMagic() && magic.isCellMagic() ? ", " : "")
                    + (magic.isCellMagic() ? "%%" + magic.name() : "");
            out.append(String.format("  %-24s %s%n", spelled, magic.summary()));
        }
        return out.toString();
    }
}
