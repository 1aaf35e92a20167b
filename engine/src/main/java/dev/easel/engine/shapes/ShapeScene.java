package dev.easel.engine.shapes;

/**
 * Everything needed to draw one training image and write its caption: the combination, where and how large the
 * shape is, and the optional size and position words the caption mentions.
 *
 * @param centerX shape centre as a fraction of the image width
 * @param centerY shape centre as a fraction of the image height
 * @param radius half the shape's extent as a fraction of the image size
 * @param rotation rotation in radians (squares and triangles)
 * @param sizeWord {@code small}, {@code large} or null when the caption says nothing of size
 * @param positionWords e.g. {@code in the top left}, or null when the caption says nothing of position
 */
public record ShapeScene(
        Combination combination,
        double centerX,
        double centerY,
        double radius,
        double rotation,
        String sizeWord,
        String positionWords,
        int colorJitterSeed) {

    /** The caption: the base form, with size before the color and position at the end when present. */
    public String caption() {
        Combination c = combination;
        StringBuilder text = new StringBuilder("a ");
        if (sizeWord != null) {
            text.append(sizeWord).append(' ');
        }
        text.append(c.color().word())
                .append(' ')
                .append(c.shape().word())
                .append(" on a ")
                .append(c.background().word())
                .append(" background");
        if (positionWords != null) {
            text.append(' ').append(positionWords);
        }
        return text.toString();
    }
}
