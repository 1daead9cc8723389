<?xml version="1.0" encoding="utf-8" ?>
<ogr:FeatureCollection
     gml:id="aFeatureCollection"
     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
     xsi:schemaLocation="http://ogr.maptools.org/ bgt_waterdeel.xsd"
     xmlns:ogr="http://ogr.maptools.org/"
     xmlns:gml="http://www.opengis.net/gml/3.2">
  <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>89162.871 470258.753</gml:lowerCorner><gml:upperCorner>91831.35 473668.506</gml:upperCorner></gml:Envelope></gml:boundedBy>
                                                                                                                                            
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.0">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>89490.056 470409.405</gml:lowerCorner><gml:upperCorner>89516.498 470446.285</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.0"><gml:exterior><gml:LinearRing><gml:posList>89497.634 470446.285 89494.833 470446.054 89492.168 470444.532 89490.532 470440.982 89490.056 470436.492 89490.228 470431.983 89490.95 470427.579 89491.89 470423.089 89493.275 470418.219 89495.708 470413.91 89498.896 470410.625 89502.49 470409.405 89506.008 470409.847 89509.433 470411.29 89512.67 470414.022 89515.115 470418.595 89516.498 470424.591 89515.881 470431.453 89513.433 470437.615 89509.861 470441.831 89506.126 470443.761 89502.99 470444.427 89500.358 470445.0 89497.634 470446.285</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>watervlakte</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.1">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>90455.887 471243.465</gml:lowerCorner><gml:upperCorner>90907.723 471336.424</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.1"><gml:exterior><gml:LinearRing><gml:posList>90456.544 471243.465 90907.723 471333.119 90907.066 471336.424 90455.887 471246.77 90456.544 471243.465</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>watervlakte</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.2">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>89175.56 472088.248</gml:lowerCorner><gml:upperCorner>89422.714 472229.674</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.2"><gml:exterior><gml:LinearRing><gml:posList>89175.56 472224.813 89419.998 472088.248 89422.714 472093.108 89178.276 472229.674 89175.56 472224.813</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>watervlakte</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.3">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>89278.13 472297.388</gml:lowerCorner><gml:upperCorner>89316.444 472333.829</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.3"><gml:exterior><gml:LinearRing><gml:posList>89291.315 472333.823 89286.735 472333.017 89282.424 472330.768 89279.287 472326.727 89278.13 472321.518 89279.3 472316.308 89281.293 472312.11 89283.376 472308.704 89285.175 472305.295 89287.501 472301.887 89290.716 472298.871 89294.817 472297.388 89299.207 472297.491 89303.552 472298.883 89307.606 472301.555 89311.7 472305.151 89315.21 472310.283 89316.444 472316.877 89315.129 472323.646 89311.304 472329.12 89306.072 472332.377 89300.638 472333.401 89295.869 472333.829 89291.315 472333.823</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>watervlakte</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.4">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>91083.551 470258.753</gml:lowerCorner><gml:upperCorner>91089.397 470638.768</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.4"><gml:exterior><gml:LinearRing><gml:posList>91085.339 470258.753 91089.397 470258.772 91087.609 470638.768 91083.551 470638.749 91085.339 470258.753</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>waterloop</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.5">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>91294.08 470455.358</gml:lowerCorner><gml:upperCorner>91321.954 470483.057</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.5"><gml:exterior><gml:LinearRing><gml:posList>91321.954 470479.162 91315.048 470483.057 91305.41 470477.818 91295.805 470470.12 91294.08 470458.716 91304.896 470455.358 91317.592 470461.21 91321.872 470471.325 91321.954 470479.162</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>watervlakte</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.6">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>91490.893 471222.54</gml:lowerCorner><gml:upperCorner>91790.166 471251.414</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.6"><gml:exterior><gml:LinearRing><gml:posList>91490.893 471247.59 91789.846 471222.54 91790.166 471226.365 91491.214 471251.414 91490.893 471247.59</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>waterloop</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.7">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>90265.88 472643.302</gml:lowerCorner><gml:upperCorner>90311.373 472674.519</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.7"><gml:exterior><gml:LinearRing><gml:posList>90311.186 472657.838 90311.373 472661.613 90310.706 472665.716 90308.337 472669.907 90303.695 472673.199 90297.526 472674.519 90291.462 472673.705 90286.641 472671.567 90282.553 472669.54 90278.051 472667.687 90272.387 472665.311 90267.67 472661.179 90265.88 472655.608 90268.567 472650.052 90274.401 472645.906 90281.809 472643.981 90288.746 472643.302 90295.085 472643.883 90300.839 472644.923 90305.672 472647.172 90309.156 472650.322 90311.066 472653.998 90311.186 472657.838</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>watervlakte</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.8">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>90618.081 472894.83</gml:lowerCorner><gml:upperCorner>90837.475 472919.115</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.8"><gml:exterior><gml:LinearRing><gml:posList>90618.434 472894.83 90837.475 472915.349 90837.122 472919.115 90618.081 472898.596 90618.434 472894.83</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>waterloop</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.9">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>90646.596 472922.259</gml:lowerCorner><gml:upperCorner>90710.25 472973.112</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.9"><gml:exterior><gml:LinearRing><gml:posList>90646.596 472934.047 90653.632 472922.259 90679.377 472924.374 90703.79 472941.059 90710.25 472957.931 90706.154 472970.487 90686.737 472973.112 90664.89 472960.151 90654.482 472947.496 90646.596 472934.047</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>watervlakte</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.10">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>90002.104 473425.263</gml:lowerCorner><gml:upperCorner>90147.303 473668.506</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.10"><gml:exterior><gml:LinearRing><gml:posList>90144.069 473425.263 90147.303 473427.165 90005.337 473668.506 90002.104 473666.604 90144.069 473425.263</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>watervlakte</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.11">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>91517.168 472342.659</gml:lowerCorner><gml:upperCorner>91831.35 472414.292</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.11"><gml:exterior><gml:LinearRing><gml:posList>91517.168 472408.969 91830.222 472342.659 91831.35 472347.982 91518.296 472414.292 91517.168 472408.969</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>watervlakte</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.12">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>91623.501 472586.878</gml:lowerCorner><gml:upperCorner>91669.254 472630.67</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.12"><gml:exterior><gml:LinearRing><gml:posList>91669.254 472615.59 91668.919 472621.71 91665.545 472626.802 91659.935 472629.672 91653.913 472630.67 91648.187 472629.916 91643.326 472628.09 91639.318 472626.223 91635.565 472624.802 91631.713 472623.272 91628.21 472620.831 91625.517 472617.476 91623.786 472613.534 91623.501 472609.295 91624.241 472605.185 91625.449 472601.2 91627.331 472597.356 91629.555 472593.23 91633.014 472589.607 91637.736 472587.522 91642.978 472586.878 91648.087 472588.288 91652.293 472591.274 91655.618 472594.662 91658.348 472598.125 91661.431 472601.372 91665.05 472605.076 91668.187 472609.898 91669.254 472615.59</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>watervlakte</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:waterdeel gml:id="waterdeel.13">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::28992"><gml:lowerCorner>89162.871 471784.026</gml:lowerCorner><gml:upperCorner>89459.008 471840.06</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" gml:id="waterdeel.geom.13"><gml:exterior><gml:LinearRing><gml:posList>89162.871 471836.12 89458.314 471784.026 89459.008 471787.965 89163.566 471840.06 89162.871 471836.12</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogr:geometryProperty>
      <ogr:bgt_type>watervlakte</ogr:bgt_type>
    </ogr:waterdeel>
  </ogr:featureMember>
</ogr:FeatureCollection>
